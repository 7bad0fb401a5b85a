// Paths: pick two nodes ("Path from here", "Path to here" in the side panel) and draw
// the shortest paths between them, e.g. how a council is connected to a trial. The
// paths' nodes and relationships are added to the drawing and marked.
import { element, graphql, setStatus } from "./api.js";
import { addNodeAction } from "./details.js";
import { addGraph, cy, onChange, refresh, scene } from "./scene.js";

const PATHS = `query($from: String!, $to: String!, $max: Int!) {
  paths(fromId: $from, toId: $to, maxLength: $max) {
    truncated
    paths { length nodes { key id label name properties } edges { type source target properties } }
  }
}`;

export const paths = { from: null, to: null, maxLength: 4, found: null, listeners: new Set() };

function caption(key) {
  const node = cy.getElementById(key);
  return node.nonempty() ? node.data("caption") : key;
}

function showEnds() {
  document.getElementById("path-from").textContent = paths.from ? caption(paths.from) : "not chosen";
  document.getElementById("path-to").textContent = paths.to ? caption(paths.to) : "not chosen";
  document.getElementById("find-paths").disabled = !(paths.from && paths.to);
}

function changed() {
  showEnds();
  for (const listener of paths.listeners) listener();
}

// One line per path: names joined by their relationships, arrows the stored direction.
function describe(path) {
  const names = new Map(path.nodes.map((n) => [n.key, n.name || n.key]));
  const parts = [names.get(path.nodes[0].key)];
  path.edges.forEach((edge, i) => {
    const next = path.nodes[i + 1].key;
    parts.push(edge.source === next ? `←${edge.type}—` : `—${edge.type}→`, names.get(next));
  });
  return parts.join(" ");
}

export async function findPaths() {
  if (!paths.from || !paths.to) return;
  setStatus("Finding the shortest paths…");
  const list = document.getElementById("path-list");
  try {
    const answer = (await graphql(PATHS, { from: paths.from, to: paths.to, max: paths.maxLength })).paths;
    paths.found = answer;
    cy.elements(".path").removeClass("path");
    const near = cy.getElementById(paths.from).nonempty() ? cy.getElementById(paths.from).position() : { x: 0, y: 0 };
    for (const path of answer.paths) {
      for (const node of path.nodes) scene.removed.delete(node.key);
      addGraph({ nodes: path.nodes, edges: path.edges }, near);
      for (const node of path.nodes) cy.getElementById(node.key).addClass("path");
      for (const edge of path.edges) cy.getElementById(`${edge.source}|${edge.type}|${edge.target}`).addClass("path");
    }
    await refresh("added");
    const items = answer.paths.map((path) => element("li", { textContent: `${path.length} steps: ${describe(path)}` }));
    if (items.length === 0) items.push(element("li", { textContent: `No path of at most ${paths.maxLength} steps.` }));
    if (answer.truncated) items.push(element("li", { textContent: "More shortest paths exist than are shown." }));
    list.replaceChildren(...items);
    cy.fit(cy.elements(".path"), 40);
    setStatus(`${answer.paths.length} shortest path${answer.paths.length === 1 ? "" : "s"} of ${answer.paths[0]?.length ?? "–"} steps`);
    await refresh("drawn");
    for (const listener of paths.listeners) listener();
    document.body.dataset.paths = String(answer.paths.length);
  } catch (error) {
    setStatus(`Could not find paths: ${error.message}`, true);
  }
}

export function setEnds(from, to) {
  paths.found = null;
  paths.from = from;
  paths.to = to;
  changed();
}

export function buildPaths() {
  const max = document.getElementById("path-max");
  max.value = String(paths.maxLength);
  max.addEventListener("change", () => {
    paths.maxLength = Number(max.value);
    changed();
  });
  document.getElementById("find-paths").addEventListener("click", findPaths);
  addNodeAction(["path-from-here", "Path from here", () => true, (node) => setEnds(node.id(), paths.to)]);
  addNodeAction(["path-to-here", "Path to here", () => true, (node) => setEnds(paths.from, node.id())]);
  // The ends are named by caption once they are drawn (a link names them by key first).
  onChange((what) => {
    if (what === "drawn") showEnds();
  });
  showEnds();
}

export function onPathsChange(listener) {
  paths.listeners.add(listener);
}
