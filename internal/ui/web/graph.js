// Lays out the flow in four columns (EventSources → events → Sensors with
// their dependencies → triggers) and draws it as SVG. Each edge carries a
// label with its count and its rate per minute; edges with failures are red.

const svgNS = "http://www.w3.org/2000/svg";
const colX = [4, 334, 664, 1074];
const widths = [200, 200, 280, 200];
const headers = ["EventSources", "Events", "Sensors · dependencies", "Triggers"];
const top = 32; // room for the column headers
const nodeH = 46;
const gap = 18;
const depH = 34;
const sensorHead = 40;

function el(name, attrs = {}, text) {
  const e = document.createElementNS(svgNS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// layout returns a box {x, y, w, h} per node id, plus the height used.
export function layout(flow) {
  const byKind = (k) => flow.nodes.filter((n) => n.kind === k);
  const boxes = new Map();
  const sources = byKind("eventsource");
  const events = byKind("event");
  // Events under their source, sources in file order, then events no
  // source declares (a dependency's typo).
  const eventOrder = [];
  for (const s of sources) eventOrder.push(...events.filter((e) => e.parent === s.id));
  eventOrder.push(...events.filter((e) => !eventOrder.includes(e)));

  let y = top;
  for (const e of eventOrder) {
    boxes.set(e.id, { x: colX[1], y, w: widths[1], h: nodeH });
    y += nodeH + gap;
  }
  // Each source sits level with the middle of its events.
  let sy = top;
  for (const s of sources) {
    const own = eventOrder.filter((e) => e.parent === s.id).map((e) => boxes.get(e.id));
    const mid = own.length ? (own[0].y + own[own.length - 1].y + nodeH) / 2 - nodeH / 2 : sy;
    const sTop = Math.max(sy, mid);
    boxes.set(s.id, { x: colX[0], y: sTop, w: widths[0], h: nodeH });
    sy = sTop + nodeH + gap;
  }

  // Sensors ordered by the first event they listen to.
  const deps = byKind("dependency");
  const edgesTo = new Map(flow.edges.map((e) => [e.to, e]));
  const rank = (sensor) => {
    const ranks = deps
      .filter((d) => d.parent === sensor.id)
      .map((d) => eventOrder.findIndex((e) => e.id === edgesTo.get(d.id)?.from));
    return ranks.length ? Math.min(...ranks) : Infinity;
  };
  const sensors = byKind("sensor").sort((a, b) => rank(a) - rank(b));
  const triggers = byKind("trigger");
  let ny = top;
  let ty = top;
  for (const s of sensors) {
    const own = deps.filter((d) => d.parent === s.id);
    const h = sensorHead + own.length * depH + 8;
    const want = own.length ? boxes.get(edgesTo.get(own[0].id)?.from)?.y ?? ny : ny;
    const sTop = Math.max(ny, want - sensorHead + 6);
    boxes.set(s.id, { x: colX[2], y: sTop, w: widths[2], h });
    own.forEach((d, i) => {
      boxes.set(d.id, { x: colX[2] + 12, y: sTop + sensorHead + i * depH, w: widths[2] - 24, h: depH - 6 });
    });
    ny = sTop + h + gap;
    const ts = triggers.filter((t) => t.parent === s.id);
    const tTop = Math.max(ty, sTop + h / 2 - (ts.length * (nodeH + gap) - gap) / 2);
    ts.forEach((t, i) => boxes.set(t.id, { x: colX[3], y: tTop + i * (nodeH + gap), w: widths[3], h: nodeH }));
    ty = tTop + ts.length * (nodeH + gap);
  }
  let height = 0;
  for (const b of boxes.values()) height = Math.max(height, b.y + b.h);
  return { boxes, height: height + 20, width: colX[3] + widths[3] + 20 };
}

function subtitle(n) {
  switch (n.kind) {
    case "eventsource": return "EventSource";
    case "event": return n.missing ? "no EventSource declares it" : `${n.type} event`;
    case "trigger": return `${n.type || "?"} trigger`;
    default: return "";
  }
}

function nodeClass(n, edges) {
  const cls = ["node", n.kind];
  if (n.missing) cls.push("missing");
  const touching = edges.filter((e) => e.from === n.id || e.to === n.id);
  if (touching.some((e) => e.failures > 0)) cls.push("has-failures");
  return cls.join(" ");
}

function drawNode(g, n, b, edges, selected) {
  const group = el("g", { class: nodeClass(n, edges), "data-node-id": n.id, tabindex: "0", role: "button" });
  if (n.id === selected) group.classList.add("selected");
  group.append(el("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8 }));
  if (n.kind === "sensor") {
    group.append(el("text", { x: b.x + 12, y: b.y + 18, class: "title" }, n.name));
    group.append(el("text", { x: b.x + 12, y: b.y + 32, class: "sub" }, n.namespace ? `Sensor · ${n.namespace}` : "Sensor"));
    if (n.last) {
      group.append(el("text", { x: b.x + b.w - 10, y: b.y + 18, class: `badge ${n.last.outcome}`, "text-anchor": "end" }, `last: ${n.last.outcome}`));
    }
  } else if (n.kind === "dependency") {
    group.append(el("text", { x: b.x + 10, y: b.y + b.h / 2 + 4, class: "title" }, n.name));
    // What the dependency does to an event before the triggers see it.
    const steps = ["filters", "transform"].filter((k) => new RegExp(`^${k}:`, "m").test(n.yaml || ""));
    if (steps.length) {
      group.append(el("text", { x: b.x + b.w - 10, y: b.y + b.h / 2 + 4, class: "sub", "text-anchor": "end" }, steps.join(" + ")));
    }
  } else {
    group.append(el("text", { x: b.x + 12, y: b.y + 19, class: "title" }, n.name));
    group.append(el("text", { x: b.x + 12, y: b.y + 35, class: "sub" }, subtitle(n)));
  }
  g.append(group);
}

// edgeLabel gives the lines of an edge's label: the count and rate, then
// what was filtered out or failed.
function edgeLabel(e, rate) {
  const first = [String(e.count)];
  if (rate !== undefined) first.push(`${rate >= 10 || Number.isInteger(rate) ? Math.round(rate) : rate.toFixed(1)}/min`);
  const second = [];
  if (e.filtered) second.push(`${e.filtered} filtered`);
  if (e.failures) second.push(`${e.failures} failed`);
  return [first.join(" · "), second.join(" · ")].filter(Boolean);
}

function drawEdge(g, e, from, to, rate, active) {
  const x1 = from.x + from.w;
  const y1 = from.y + (from.h > nodeH ? Math.min(from.h / 2, 24) : from.h / 2);
  const x2 = to.x;
  const y2 = to.y + to.h / 2;
  const dx = Math.max(40, (x2 - x1) / 2);
  const cls = ["edge"];
  if (e.failures > 0) cls.push("failed");
  else if (e.count > 0) cls.push("ok");
  if (active) cls.push("active");
  const group = el("g", { class: cls.join(" "), "data-edge": `${e.from}->${e.to}`, "data-count": e.count, "data-failures": e.failures });
  group.append(el("path", { d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)" }));
  const lines = edgeLabel(e, rate);
  const lx = (x1 + x2) / 2;
  const ly = (y1 + y2) / 2;
  const w = Math.max(...lines.map((l) => l.length)) * 6.2 + 14;
  const lh = 14;
  const h = lines.length * lh + 4;
  group.append(el("rect", { class: "label-bg", x: lx - w / 2, y: ly - h / 2, width: w, height: h, rx: 8 }));
  lines.forEach((line, i) => {
    group.append(el("text", { class: i ? "label detail" : "label", x: lx, y: ly - h / 2 + 13 + i * lh, "text-anchor": "middle" }, line));
  });
  g.append(group);
}

// draw renders flow into svg. rates maps "from->to" to events per minute;
// active holds the edges whose count just grew.
export function draw(svg, flow, { rates, active, selected }) {
  const { boxes, height, width } = layout(flow);
  svg.replaceChildren();
  // The graph shrinks to the room it has (the side panel takes some).
  svg.setAttribute("viewBox", `0 0 ${width} ${Math.max(height, 100)}`);
  svg.style.maxWidth = `${width}px`;
  headers.forEach((text, i) => svg.append(el("text", { class: "column", x: colX[i], y: 14 }, text)));
  const defs = el("defs");
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto" });
  marker.append(el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }));
  defs.append(marker);
  svg.append(defs);
  const nodes = el("g", { class: "nodes" });
  const edges = el("g", { class: "edges" });
  // Sensors first so that their dependencies are drawn on top.
  const order = ["sensor", "eventsource", "event", "dependency", "trigger"];
  for (const kind of order) {
    for (const n of flow.nodes.filter((x) => x.kind === kind)) {
      const b = boxes.get(n.id);
      if (b) drawNode(nodes, n, b, flow.edges, selected);
    }
  }
  for (const e of flow.edges) {
    const from = boxes.get(e.from);
    const to = boxes.get(e.to);
    if (from && to) {
      const key = `${e.from}->${e.to}`;
      drawEdge(edges, e, from, to, rates.get(key), active.has(key));
    }
  }
  svg.append(nodes, edges);
}
