// The explorer: pick an intervention or agency, draw its network, click a node for its
// properties, expand a node to its neighbours. Everything comes from the GraphQL API at
// /graphql; node ids are the API's keys, Label:id. The drawing is the subgraph within one
// hop of the chosen node and of each expanded one, which is what the download links ask
// /exports for.
"use strict";

const COLOURS = {
  Intervention: "#1f6fb2",
  Agency: "#e07b00",
  Study: "#2e8b57",
  Finding: "#8e44ad",
  Outcome: "#c0392b",
  Rating: "#7f8c8d",
};

const NODE_FIELDS = "nodes { key id label name properties } edges { type source target properties }";
const SUBGRAPH = `query($ids: [String!]!) { subgraph(ids: $ids, depth: 1) { ${NODE_FIELDS} } }`;
const INTERVENTIONS = `query($after: String) {
  interventions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;
const AGENCIES = `query($after: String) {
  agencies(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;

const statusLine = document.getElementById("status");
const details = document.getElementById("details");
const picker = document.getElementById("focus");
const downloads = document.getElementById("downloads");
let seeds = [];

function updateDownloads() {
  const query = new URLSearchParams(seeds.map((key) => ["ids", key]));
  query.set("depth", "1");
  for (const link of downloads.querySelectorAll("a")) {
    link.href = `/exports/${link.dataset.format}?${query}`;
  }
  // Visibility, not display: the header keeps its height, so the graph's canvas does not
  // move under Cytoscape.js (which caches where its container is).
  downloads.style.visibility = seeds.length === 0 ? "hidden" : "visible";
}

if (typeof cytoscape === "undefined") {
  statusLine.textContent = "Cytoscape.js is missing: run `make vendor` (or `make serve`) to install it.";
  statusLine.classList.add("error");
  throw new Error("cytoscape.min.js not vendored");
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

async function allPages(query, field) {
  const items = [];
  let after = null;
  for (;;) {
    const page = (await graphql(query, { after }))[field];
    items.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return items;
    after = page.pageInfo.endCursor;
  }
}

const cy = cytoscape({
  container: document.getElementById("graph"),
  wheelSensitivity: 0.3,
  style: [
    {
      selector: "node",
      style: {
        "background-color": (n) => COLOURS[n.data("label")] || "#999",
        label: "data(caption)",
        "font-size": 10,
        "text-wrap": "ellipsis",
        "text-max-width": 140,
        "text-valign": "bottom",
        "text-margin-y": 3,
        width: 22,
        height: 22,
      },
    },
    { selector: "node[?focus]", style: { width: 34, height: 34, "font-weight": "bold" } },
    { selector: "node:selected", style: { "border-width": 3, "border-color": "#111" } },
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
        color: "#5a6878",
        "text-rotation": "autorotate",
      },
    },
  ],
});

// New nodes start around `near` (the node being expanded) so the layout moves them out
// from there instead of from the origin.
// Cytoscape.js caches where its container is; tell it when the page layout moves it.
new ResizeObserver(() => cy.resize()).observe(cy.container());

function addGraph(graph, near = { x: 0, y: 0 }) {
  const added = [];
  let newNodes = 0;
  for (const node of graph.nodes) {
    if (cy.getElementById(node.key).empty()) {
      newNodes += 1;
      added.push({
        group: "nodes",
        data: { id: node.key, label: node.label, name: node.name, caption: node.name || node.key, properties: node.properties },
        position: { x: near.x + 40 * Math.cos(newNodes), y: near.y + 40 * Math.sin(newNodes) },
      });
    }
  }
  for (const edge of graph.edges) {
    const id = `${edge.source}|${edge.type}|${edge.target}`;
    if (cy.getElementById(id).empty()) {
      added.push({ group: "edges", data: { id, source: edge.source, target: edge.target, type: edge.type, properties: edge.properties } });
    }
  }
  cy.add(added);
  return newNodes;
}

// A fresh drawing puts the chosen node in the middle and the rest in rings around it;
// an expansion lets a force-directed layout make room, starting from where things are.
function layout(fresh = false) {
  const options = fresh
    ? { name: "concentric", concentric: (n) => (n.data("focus") ? 2 : 1), levelWidth: () => 1, minNodeSpacing: 40 }
    : { name: "cose", randomize: false, nodeRepulsion: () => 20000, idealEdgeLength: () => 110 };
  return new Promise((resolve) => {
    const run = cy.layout({ ...options, animate: false });
    run.one("layoutstop", resolve);
    run.run();
  });
}

function propertyTable(properties) {
  const table = document.createElement("table");
  table.id = "properties";
  for (const [key, value] of Object.entries(properties || {})) {
    const row = table.insertRow();
    const name = document.createElement("th");
    name.textContent = key;
    const cell = row.insertCell();
    cell.textContent = Array.isArray(value) ? value.join(", ") : String(value);
    row.prepend(name);
  }
  return table;
}

function showEdge(edge) {
  const heading = document.createElement("h2");
  heading.textContent = edge.data("type");
  const ends = document.createElement("p");
  ends.className = "label";
  ends.textContent = `${edge.source().data("caption")} → ${edge.target().data("caption")}`;
  details.replaceChildren(heading, ends, propertyTable(edge.data("properties")));
}

function showNode(node) {
  details.replaceChildren();
  const heading = document.createElement("h2");
  heading.textContent = node.data("name") || node.id();
  const label = document.createElement("p");
  label.className = "label";
  label.textContent = `${node.data("label")} · ${node.id()}`;
  const expand = document.createElement("button");
  expand.type = "button";
  expand.id = "expand";
  expand.textContent = "Expand: add its neighbours";
  expand.addEventListener("click", () => expandNode(node.id()));
  details.append(heading, label, expand, propertyTable(node.data("properties")));
}

async function expandNode(key) {
  setStatus(`Expanding ${key}…`);
  try {
    const near = cy.getElementById(key).position();
    const added = addGraph((await graphql(SUBGRAPH, { ids: [key] })).subgraph, near);
    if (!seeds.includes(key)) seeds.push(key);
    updateDownloads();
    await layout();
    cy.fit(undefined, 30);
    setStatus(`${cy.nodes().length} nodes, ${cy.edges().length} edges (${added} new nodes)`);
  } catch (error) {
    setStatus(`Could not expand: ${error.message}`, true);
  }
}

async function draw(focus) {
  if (!focus) return;
  setStatus("Loading…");
  try {
    const graph = (await graphql(SUBGRAPH, { ids: [focus] })).subgraph;
    cy.elements().remove();
    seeds = [focus];
    updateDownloads();
    if (!graph || graph.nodes.length === 0) {
      setStatus(`Nothing found for ${focus}`, true);
      return;
    }
    addGraph(graph);
    cy.getElementById(focus).data("focus", true);
    await layout(true);
    cy.fit(undefined, 30);
    history.replaceState(null, "", `?focus=${encodeURIComponent(focus)}`);
    setStatus(`${cy.nodes().length} nodes, ${cy.edges().length} edges`);
    document.body.dataset.drawn = focus;
  } catch (error) {
    setStatus(`Could not load: ${error.message}`, true);
  }
}

function fillLegend() {
  const legend = document.getElementById("legend");
  for (const [label, colour] of Object.entries(COLOURS)) {
    const item = document.createElement("span");
    item.style.setProperty("--colour", colour);
    item.textContent = label;
    legend.append(item);
  }
}

async function start() {
  fillLegend();
  cy.on("tap", "node", (event) => showNode(event.target));
  cy.on("tap", "edge", (event) => showEdge(event.target));
  picker.addEventListener("change", () => draw(picker.value));
  try {
    const [interventions, agencies] = await Promise.all([
      allPages(INTERVENTIONS, "interventions"),
      allPages(AGENCIES, "agencies"),
    ]);
    picker.replaceChildren(new Option("Choose…", ""));
    for (const [title, label, items] of [["Interventions", "Intervention", interventions], ["Agencies", "Agency", agencies]]) {
      const group = document.createElement("optgroup");
      group.label = title;
      for (const item of items) group.append(new Option(item.name, `${label}:${item.id}`));
      picker.append(group);
    }
  } catch (error) {
    setStatus(`Could not load the lists: ${error.message}`, true);
    return;
  }
  const focus = new URLSearchParams(location.search).get("focus");
  if (focus) {
    picker.value = focus;
    await draw(focus);
  } else if (document.body.dataset.view !== "gap-map") {
    // Opened on the gap map (?view=gap-map): its own status line stays.
    setStatus("Ready");
  }
}

window.explorer = { cy, draw, expandNode };
start();
