// The network scene: one Cytoscape.js instance, what is drawn in it, and how it is laid
// out. Nodes are the API's keys, Label:id. What is drawn is the union of one-hop
// neighbourhoods: of each opened node (all relationship types) and of each expanded one
// (the relationship types chosen for it), less the nodes the analyst removed.
import { graphql, setStatus } from "./api.js";

export const LABEL_COLOURS = {
  Intervention: "#1f6fb2",
  Agency: "#b35c00",
  Study: "#2e7d4f",
  Finding: "#8e44ad",
  Outcome: "#c0392b",
  Rating: "#5f6b73",
};

const SUBGRAPH = `query($ids: [String!]!, $types: [RelationshipType!]) {
  subgraph(ids: $ids, depth: 1, relationshipTypes: $types) {
    nodes { key id label name properties } edges { type source target properties }
  }
}`;

// Above this many nodes relationship captions are not drawn: they cannot be read at the
// zoom that shows such a drawing, and measuring them is much of the cost of drawing it.
export const CROWDED = 500;

export const LAYOUTS = {
  cose: "Force-directed",
  concentric: "Concentric",
  breadthfirst: "Hierarchical (breadth-first)",
  grid: "Grid",
};

export const scene = {
  // [{ key, types, opened }]: types null for every relationship type; opened for the
  // nodes the analyst chose (search), not expanded from the drawing.
  seeds: [],
  removed: new Set(),
  layout: "cose",
  listeners: new Set(),
};

export const cy = cytoscape({
  container: document.getElementById("graph"),
  wheelSensitivity: 0.3,
  style: [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)",
        label: "data(caption)",
        "font-size": 10,
        "text-wrap": "ellipsis",
        "text-max-width": 140,
        "text-valign": "bottom",
        "text-margin-y": 3,
        // Captions too small to read are not drawn: with thousands of nodes drawing text
        // is most of a frame's cost.
        "min-zoomed-font-size": 7,
        width: "data(size)",
        height: "data(size)",
      },
    },
    { selector: "node[?focus]", style: { "font-weight": "bold", "border-width": 2, "border-color": "#1d2733" } },
    { selector: "node:selected", style: { "border-width": 4, "border-color": "#111" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "#a9b4c2",
        "target-arrow-color": "#a9b4c2",
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
        label: "data(type)",
        "font-size": 7,
        color: "#4a5868",
        "text-rotation": "autorotate",
        "min-zoomed-font-size": 7,
      },
    },
    { selector: ".hidden", style: { display: "none" } },
    { selector: ".no-captions", style: { label: "" } },
    { selector: "edge.path", style: { width: 4, "line-color": "#d4a000", "target-arrow-color": "#d4a000", "z-index": 10 } },
    { selector: "node.path", style: { "border-width": 4, "border-color": "#d4a000" } },
  ],
});

// Cytoscape.js caches where its container is; tell it when the page layout moves it.
new ResizeObserver(() => cy.resize()).observe(cy.container());

// Listeners run one after another, in the order they were added: the style (which
// fetches evidence levels) before the filters (which read them).
async function changed(what) {
  for (const listener of scene.listeners) await listener(what);
}

export function onChange(listener) {
  scene.listeners.add(listener);
}

// Adds what is not drawn yet; new nodes start at `near`. Returns the new nodes.
export function addGraph(graph, near = { x: 0, y: 0 }) {
  const added = [];
  let count = 0;
  for (const node of graph.nodes) {
    if (scene.removed.has(node.key) || !cy.getElementById(node.key).empty()) continue;
    count += 1;
    added.push({
      group: "nodes",
      data: {
        id: node.key, label: node.label, name: node.name, caption: node.name || node.key,
        properties: node.properties, colour: LABEL_COLOURS[node.label] || "#999", size: 22,
      },
      position: { x: near.x + 40 * Math.cos(count), y: near.y + 40 * Math.sin(count) },
    });
  }
  // A crowded drawing gets its relationships without captions from the start (see
  // filters.js), which spares restyling each of them once more.
  const edgeClasses = cy.nodes().length + count > CROWDED ? "no-captions" : "";
  for (const edge of graph.edges) {
    const id = `${edge.source}|${edge.type}|${edge.target}`;
    if (scene.removed.has(edge.source) || scene.removed.has(edge.target)) continue;
    if (cy.getElementById(id).empty()) {
      added.push({ group: "edges", classes: edgeClasses, data: { id, source: edge.source, target: edge.target, type: edge.type, properties: edge.properties } });
    }
  }
  return cy.add(added).nodes();
}

// `fresh`: lay out from scratch (force-directed starts from random places then).
function layoutOptions(name, roots, fresh = false) {
  const base = { name, animate: false, fit: false };
  if (name === "cose") {
    // Each iteration compares every pair of nodes: crowded drawings get fewer of them.
    const numIter = cy.nodes().length > CROWDED ? 100 : 1000;
    return { ...base, randomize: fresh, numIter, nodeRepulsion: () => 20000, idealEdgeLength: () => 110 };
  }
  if (name === "concentric") {
    return { ...base, concentric: (n) => (roots.has(n.id()) ? 2 : 1), levelWidth: () => 1, minNodeSpacing: 40 };
  }
  if (name === "breadthfirst") return { ...base, directed: false, roots: [...roots].map((k) => `#${CSS.escape(k)}`).join(","), spacingFactor: 1.2 };
  return { ...base, avoidOverlap: true, avoidOverlapPadding: 20 };
}

function run(elements, options) {
  return new Promise((resolve) => {
    const layout = elements.layout(options);
    layout.one("layoutstop", resolve);
    layout.run();
  });
}

// Lays out everything drawn with the chosen layout, then fits it in view.
export async function relayout() {
  const roots = new Set(scene.seeds.map((s) => s.key).filter((k) => !cy.getElementById(k).empty()));
  const drawn = cy.elements().not(".hidden");
  if (drawn.empty()) return;
  await run(drawn, layoutOptions(scene.layout, roots, true));
  cy.fit(drawn, 30);
}

// New nodes are laid out around the node they came from, which keeps its place, and
// nothing else moves: the analyst's picture stays as it was.
async function placeAround(anchor, newNodes) {
  if (newNodes.empty()) return;
  const before = { ...anchor.position() };
  const group = newNodes.union(anchor).union(newNodes.connectedEdges().filter((e) => newNodes.union(anchor).contains(e.source()) && newNodes.union(anchor).contains(e.target())));
  await run(group, layoutOptions(scene.layout, new Set([anchor.id()])));
  const after = anchor.position();
  const shift = { x: before.x - after.x, y: before.y - after.y };
  newNodes.positions((n) => ({ x: n.position("x") + shift.x, y: n.position("y") + shift.y }));
  anchor.position(before);
}

async function fetchNeighbourhood(key, types) {
  return (await graphql(SUBGRAPH, { ids: [key], types })).subgraph;
}

function summary() {
  return `${cy.nodes().length} nodes, ${cy.edges().length} edges drawn`;
}

// A fresh drawing of one node's neighbourhood, or, with `add`, one more beside the rest.
export async function open(key, { add = false } = {}) {
  setStatus(`Loading ${key}…`);
  try {
    const graph = await fetchNeighbourhood(key, null);
    if (!graph.nodes.some((n) => n.key === key)) {
      setStatus(`Nothing found for ${key}`, true);
      return;
    }
    if (!add) {
      cy.elements().remove();
      scene.seeds = [];
      scene.removed.clear();
    }
    scene.removed.delete(key);
    const seed = scene.seeds.find((s) => s.key === key);
    if (seed) Object.assign(seed, { types: null, opened: true });
    else scene.seeds.push({ key, types: null, opened: true });
    const fresh = cy.nodes().empty();
    const added = addGraph(graph);
    cy.getElementById(key).data("focus", true);
    await changed("added");
    if (fresh) await relayout();
    else await placeAround(cy.getElementById(key), added.not(cy.getElementById(key)));
    cy.fit(undefined, 30);
    setStatus(summary());
    document.body.dataset.drawn = scene.seeds.map((s) => s.key).join(" ");
    await changed("drawn");
  } catch (error) {
    setStatus(`Could not load: ${error.message}`, true);
  }
}

// Adds a drawn node's neighbours along `types` (null: every type).
export async function expand(key, types = null) {
  setStatus(`Expanding ${key}…`);
  try {
    const anchor = cy.getElementById(key);
    const added = addGraph(await fetchNeighbourhood(key, types), anchor.position());
    const seed = scene.seeds.find((s) => s.key === key);
    if (seed) seed.types = seed.types === null || types === null ? null : [...new Set([...seed.types, ...types])];
    else scene.seeds.push({ key, types, opened: false });
    await changed("added");
    await placeAround(anchor, added);
    setStatus(`${summary()} (${added.length} new nodes)`);
    await changed("drawn");
    return added.length;
  } catch (error) {
    setStatus(`Could not expand: ${error.message}`, true);
    return 0;
  }
}

export async function remove(keys) {
  for (const key of keys) {
    scene.removed.add(key);
    cy.getElementById(key).remove();
  }
  scene.seeds = scene.seeds.filter((s) => !scene.removed.has(s.key));
  setStatus(`${summary()} (${keys.length} removed)`);
  await changed("drawn");
}

export async function setLayout(name) {
  if (!(name in LAYOUTS)) return;
  scene.layout = name;
  setStatus(`Laying out ${cy.nodes().length} nodes…`);
  await relayout();
  setStatus(summary());
  await changed("layout");
}

// Draws again what a shared link describes: its seeds in order, less its removed nodes.
export async function restore({ seeds, removed }) {
  cy.elements().remove();
  scene.seeds = [];
  scene.removed = new Set(removed);
  for (const seed of seeds) {
    const graph = await fetchNeighbourhood(seed.key, seed.types);
    addGraph(graph);
    if (!scene.seeds.some((s) => s.key === seed.key)) scene.seeds.push({ ...seed });
  }
  for (const seed of scene.seeds) if (seed.opened) cy.getElementById(seed.key).data("focus", true);
  await changed("added");
  await relayout();
  setStatus(summary());
  document.body.dataset.drawn = scene.seeds.map((s) => s.key).join(" ");
  await changed("drawn");
}

export function markSelected(key) {
  cy.$(":selected").unselect();
  if (key) cy.getElementById(key).select();
}

export { summary, changed as refresh };
