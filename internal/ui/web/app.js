// Herald's event-flow page: polls GET /api/v1/flow every 2 s, keeps a
// minute of counts per edge for the rates, and redraws the graph.

import { flow as fetchFlow } from "./api.js";
import { draw } from "./graph.js";
import { Panel } from "./panel.js";

const refreshMs = 2000;
const rateWindowMs = 60_000;

const svg = document.getElementById("flow");
const status = document.getElementById("status");
let selected = null;
let last = null;
const samples = new Map(); // "from->to" → [{t, count}], oldest first
const panel = new Panel(document.getElementById("panel"), document.getElementById("panel-body"), () => {
  selected = null;
  render(new Set());
});

// record adds this poll's counts and returns the edges whose count grew.
function record(f, now) {
  const grew = new Set();
  for (const e of f.edges) {
    const key = `${e.from}->${e.to}`;
    const h = samples.get(key) || [];
    if (h.length && e.count > h[h.length - 1].count) grew.add(key);
    h.push({ t: now, count: e.count });
    while (h.length > 2 && now - h[1].t >= rateWindowMs) h.shift();
    samples.set(key, h);
  }
  return grew;
}

function rates() {
  const out = new Map();
  for (const [key, h] of samples) {
    if (h.length < 2) continue;
    const first = h[0];
    const latest = h[h.length - 1];
    // Events of the last minute; while the page is younger than that, of
    // the time it has been open (never less than the minute, so that one
    // event does not show as a burst).
    const span = Math.max(latest.t - first.t, rateWindowMs);
    out.set(key, (Math.max(0, latest.count - first.count) * 60_000) / span);
  }
  return out;
}

function render(active) {
  if (last) draw(svg, last, { rates: rates(), active, selected });
}

async function tick() {
  try {
    const f = await fetchFlow();
    last = f;
    render(record(f, Date.now()));
    const total = f.edges.filter((e) => e.from.startsWith("eventsource/")).reduce((n, e) => n + e.count, 0);
    const failed = f.edges.reduce((n, e) => n + e.failures, 0);
    status.textContent = `${total} ${total === 1 ? "event" : "events"} published · ${failed} ${failed === 1 ? "failure" : "failures"} · updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
    status.className = failed ? "failed" : "";
    await panel.refresh();
  } catch (err) {
    status.textContent = String(err.message || err);
    status.className = "failed";
  }
}

svg.addEventListener("click", (ev) => {
  const g = ev.target.closest("[data-node-id]");
  if (!g || !last) return;
  const byId = new Map(last.nodes.map((n) => [n.id, n]));
  selected = g.dataset.nodeId;
  render(new Set());
  panel.showNode(byId.get(selected), byId);
});
svg.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && ev.target.closest("[data-node-id]")) ev.target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
});

tick();
setInterval(tick, refreshMs);
