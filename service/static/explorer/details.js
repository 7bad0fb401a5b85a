// The side panel: the clicked node's or edge's properties, and what can be done with a
// node (expand it along the chosen relationship types, remove it, start or end a path
// at it, add an intervention or agency to the comparison).
import { element, factTable } from "./api.js";
import { chosenExpandTypes } from "./filters.js";
import { cy, expand, markSelected, remove } from "./scene.js";

const panel = document.getElementById("details");
const HINT = "Search for an intervention, agency, study or outcome above, then click a node to see its properties and expand it.";
export const selection = { key: null, listeners: new Set(), actions: [], sections: [] };

function button(id, text, onClick) {
  const b = element("button", { type: "button", id, textContent: text });
  b.addEventListener("click", onClick);
  return b;
}

function announce() {
  for (const listener of selection.listeners) listener(selection.key);
}

// Other modules add node actions (paths, compare): [id, text, applies(node), run(node)].
export function addNodeAction(action) {
  selection.actions.push(action);
}

// Other modules add sections under the properties: async (node) => element or null, shown
// when it arrives if the node is still the one selected.
export function addNodeSection(section) {
  selection.sections.push(section);
}

async function appendSections(node) {
  for (const section of selection.sections) {
    try {
      const shown = await section(node);
      if (shown && selection.key === node.id()) panel.append(shown);
    } catch (error) {
      if (selection.key === node.id()) panel.append(element("p", { className: "error", textContent: error.message }));
    }
  }
  if (selection.key === node.id()) panel.dataset.sections = node.id();
}

export function showNode(node) {
  selection.key = node.id();
  markSelected(node.id());
  const heading = element("h2", { textContent: node.data("name") || node.id() });
  const label = element("p", { className: "label", textContent: `${node.data("label")} · ${node.id()}` });
  const types = chosenExpandTypes();
  const actions = element("div", { className: "actions" },
    button("expand", types ? `Expand along ${types.length} chosen type${types.length === 1 ? "" : "s"}` : "Expand: add its neighbours", () => expand(node.id(), chosenExpandTypes())),
    button("remove-node", "Remove from the drawing", async () => {
      await remove([node.id()]);
      clear();
    }),
  );
  for (const [id, text, applies, run] of selection.actions) {
    if (applies(node)) actions.append(button(id, text, () => run(node)));
  }
  const extra = [];
  if (node.data("evidenceLevel") !== undefined) {
    extra.push(factTable([
      ["Evidence level", node.data("evidenceLevel")],
      ["Agencies delivering it", node.data("deliveringAgencies")],
      ["Largest funding total", node.data("fundingTotal")],
    ], "derived"));
  }
  panel.replaceChildren(heading, label, actions, ...extra, factTable(Object.entries(node.data("properties") || {}), "properties"));
  delete panel.dataset.sections;
  announce();
  appendSections(node);
}

export function showEdge(edge) {
  const heading = element("h2", { textContent: edge.data("type") });
  const ends = element("p", { className: "label", textContent: `${edge.source().data("caption")} → ${edge.target().data("caption")}` });
  panel.replaceChildren(heading, ends, factTable(Object.entries(edge.data("properties") || {}), "properties"));
}

export function clear() {
  selection.key = null;
  panel.replaceChildren(element("p", { className: "hint", textContent: HINT }));
  announce();
}

export function select(key) {
  const node = cy.getElementById(key);
  if (node.nonempty() && node.isNode()) showNode(node);
}

export function onSelect(listener) {
  selection.listeners.add(listener);
}

export function buildDetails() {
  cy.on("tap", "node", (event) => showNode(event.target));
  cy.on("tap", "edge", (event) => showEdge(event.target));
  clear();
}

// The drawing from the keyboard: with the graph focused, arrow keys step through the
// shown nodes by name, Enter expands the selected one, Delete removes it.
export function buildGraphKeyboard() {
  const container = cy.container();
  container.tabIndex = 0;
  container.addEventListener("keydown", async (event) => {
    const shown = cy.nodes().not(".hidden").sort((a, b) => a.data("caption").localeCompare(b.data("caption")));
    if (shown.empty()) return;
    const at = shown.toArray().findIndex((n) => n.id() === selection.key);
    if (event.key === "ArrowDown" || event.key === "ArrowRight" || event.key === "ArrowUp" || event.key === "ArrowLeft") {
      const step = event.key === "ArrowDown" || event.key === "ArrowRight" ? 1 : -1;
      const next = shown[(at + step + shown.length) % shown.length];
      showNode(next);
      cy.center(next);
      event.preventDefault();
    } else if (event.key === "Enter" && at >= 0) {
      await expand(selection.key, chosenExpandTypes());
      event.preventDefault();
    } else if (event.key === "Delete" && at >= 0) {
      await remove([selection.key]);
      clear();
      event.preventDefault();
    }
  });
}
