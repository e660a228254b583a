// The side panel: a node's YAML and its recent events; an event's trace
// (steps and payload).

import { eventTrace, recentEvents } from "./api.js";

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") {
      e.addEventListener("click", v);
      // Buttons click on Enter by themselves; list rows do not.
      if (tag !== "button") e.addEventListener("keydown", (ev) => ev.key === "Enter" && v(ev));
    } else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const time = (t) => new Date(t).toLocaleTimeString([], { hour12: false });

// eventFilter says which events belong to a node: those of its EventSource
// (and event), or those delivered to its Sensor.
function eventFilter(node, byId) {
  switch (node.kind) {
    case "eventsource":
      return { query: { eventSource: node.name } };
    case "event": {
      const source = byId.get(node.parent)?.name ?? node.parent.split("/").pop();
      return { query: { eventSource: source }, eventName: node.name };
    }
    default: {
      const sensor = node.kind === "sensor" ? node : byId.get(node.parent);
      return { query: { sensor: sensor.name } };
    }
  }
}

export class Panel {
  constructor(aside, body, onClose) {
    this.aside = aside;
    this.body = body;
    this.node = null;
    this.traceId = null;
    aside.querySelector("#close").addEventListener("click", () => {
      this.close();
      onClose();
    });
  }

  // fill replaces the panel's content with the given elements, skipping
  // the absent ones.
  fill(...children) {
    this.body.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
  }

  close() {
    this.node = null;
    this.traceId = null;
    this.aside.hidden = true;
  }

  showNode(node, byId) {
    this.node = node;
    this.byId = byId;
    this.traceId = null;
    this.aside.hidden = false;
    this.events = h("div", { class: "events" }, h("p", { class: "muted" }, "loading events…"));
    const kind = node.kind === "eventsource" ? "EventSource" : node.kind[0].toUpperCase() + node.kind.slice(1);
    this.fill(
      h("p", { class: "kind" }, `${kind}${node.type ? ` · ${node.type}` : ""}`),
      h("h2", {}, node.name),
      h("p", { class: "muted" }, `namespace ${node.namespace}`),
      node.missing ? h("p", { class: "warn" }, "No loaded EventSource declares this event: the dependency never receives anything.") : null,
      h("h3", {}, "Recent events"),
      this.events,
      h("h3", {}, "Configuration"),
      h("pre", { class: "yaml" }, node.yaml || "(none)"),
    );
    return this.refresh();
  }

  // refresh reloads the events list of the open node (not a shown trace).
  async refresh() {
    if (!this.node || this.traceId) return;
    const node = this.node;
    const f = eventFilter(node, this.byId);
    let events;
    try {
      events = await recentEvents(f.query);
    } catch (err) {
      this.events.replaceChildren(h("p", { class: "warn" }, String(err.message || err)));
      return;
    }
    if (node !== this.node || this.traceId) return;
    if (f.eventName) events = events.filter((e) => e.eventName === f.eventName);
    if (events.length === 0) {
      this.events.replaceChildren(h("p", { class: "muted" }, "No events yet."));
      return;
    }
    const rows = events.map((e) =>
      h("li", { "data-event-id": e.id, tabindex: "0", onclick: () => this.showTrace(e.id) },
        h("span", { class: "time" }, time(e.time)),
        h("span", { class: `outcome ${e.outcome}` }, e.outcome),
        h("span", { class: "what" }, `${e.eventSource}/${e.eventName}`),
        h("code", {}, e.id.slice(0, 12)),
      ));
    this.events.replaceChildren(h("ul", { class: "event-list" }, ...rows));
  }

  async showTrace(id) {
    this.traceId = id;
    this.aside.hidden = false;
    const back = this.node ? h("button", { type: "button", class: "back", onclick: () => this.showNode(this.node, this.byId) }, "← back") : null;
    this.fill(back, h("p", { class: "muted" }, "loading trace…"));
    let tr;
    try {
      tr = await eventTrace(id);
    } catch (err) {
      this.fill(back, h("p", { class: "warn" }, String(err.message || err)));
      return;
    }
    if (this.traceId !== id) return;
    const start = tr.steps.length ? new Date(tr.steps[0].time).getTime() : 0;
    const rows = tr.steps.map((s) =>
      h("tr", { class: `stage-${s.stage}` },
        h("td", { class: "num" }, `+${new Date(s.time).getTime() - start} ms`),
        h("td", {}, h("span", { class: `stage ${s.stage}` }, s.stage)),
        h("td", {}, [s.sensor, s.dependency, s.trigger].filter(Boolean).join(" / ")),
        h("td", { class: "detail" }, [s.reason, s.ref, s.attempts > 1 ? `${s.attempts} attempts` : "", s.error].filter(Boolean).join(" · ")),
      ));
    const payload = tr.data === undefined ? "(no payload kept)" : JSON.stringify(tr.data, null, 2);
    this.fill(
      back,
      h("p", { class: "kind" }, "Event"),
      h("h2", {}, `${tr.eventSource}/${tr.eventName}`),
      h("p", { class: "muted" }, `${tr.id} · ${new Date(tr.time).toLocaleString()} · bus sequence ${tr.sequence} · `,
        h("span", { class: `outcome ${tr.outcome}` }, tr.outcome)),
      h("h3", {}, "Trace"),
      h("table", { id: "trace" },
        h("thead", {}, h("tr", {}, h("th", {}, "time"), h("th", {}, "stage"), h("th", {}, "where"), h("th", {}, "detail"))),
        h("tbody", {}, ...rows)),
      h("h3", {}, "Payload"),
      h("pre", { class: "payload" }, payload),
    );
  }
}
