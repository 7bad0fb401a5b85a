// The explorer's second view: the evidence gap map as a heatmap. Rows are interventions,
// columns outcomes grouped by domain, each cell coloured by its status and the strength of
// its strongest evidence (the common scale, docs/evidence-rules.md). Hovering shows a
// cell's numbers, clicking shows them in the side panel. The data is one evidenceGapMap
// query to /graphql (graphql() and setStatus() come from explorer.js, loaded first).
"use strict";

const GAP_MAP = `{
  evidenceGapMap {
    interventions { id name }
    domains { domain outcomes { id name partOfId } }
    cells {
      interventionId outcomeId status studyCount ongoingStudyCount findingCount
      studiesByDesign { design count }
      findingsByDirection { direction count }
      strongest { eifValue titleIvE commonScale commonScaleLabel direction mixed reasons }
    }
  }
}`;

// What a cell's colour says, in legend order. `kind` is the cell's data-kind: the status
// for gaps, else the common-scale level of its strongest evidence (0 found not effective
// to 5 well supported), or "unjudged" when the map has evidence but no judgement.
const GAP_LEGEND = [
  ["ABSOLUTE_GAP", "Absolute gap: no study"],
  ["ONLY_ONGOING", "Only ongoing studies"],
  ["unjudged", "Studies, no judgement"],
  ["0", "0 Found not effective or harmful"],
  ["1", "1 Not shown to work"],
  ["2", "2 Preliminary"],
  ["3", "3 Promising"],
  ["4", "4 Supported"],
  ["5", "5 Well supported"],
];

const gapView = document.getElementById("gap-map-view");
const networkView = document.getElementById("network-view");
const gapDetails = document.getElementById("gap-details");
const gapTable = document.getElementById("gap-map");
let gapMapLoaded = null;

// Enum values as words ("CHILD_SAFETY" as "Child safety"); design acronyms stay as they are.
function words(enumValue) {
  if (enumValue === "RCT" || enumValue === "QED") return enumValue;
  const text = enumValue.toLowerCase().replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function cellKind(cell) {
  if (cell.status !== "EVIDENCE") return cell.status;
  return cell.strongest && cell.strongest.commonScale !== null ? String(cell.strongest.commonScale) : "unjudged";
}

function counts(list, key) {
  return list.map((item) => `${words(item[key])} ${item.count}`).join(", ") || "none";
}

// The numbers a cell stands for, as label/value pairs: the tooltip and the panel share them.
function cellFacts(cell) {
  const facts = [
    ["Status", words(cell.status)],
    ["Studies", `${cell.studyCount} (${cell.ongoingStudyCount} ongoing)`],
    ["By design", counts(cell.studiesByDesign, "design")],
    ["Findings", String(cell.findingCount)],
    ["By direction", counts(cell.findingsByDirection, "direction")],
  ];
  const best = cell.strongest;
  if (best) {
    facts.push(
      ["Strongest", `EIF-style ${best.eifValue}; ${best.titleIvE}`],
      ["Common scale", `${best.commonScale ?? "–"} ${best.commonScaleLabel}`],
      ["Direction", words(best.direction) + (best.mixed ? " (mixed)" : "")],
    );
  } else {
    facts.push(["Strongest", "none: no completed study reported on this cell"]);
  }
  return facts;
}

function showCell(cell, names, button) {
  for (const chosen of gapTable.querySelectorAll(".cell[aria-pressed='true']")) chosen.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  const heading = document.createElement("h2");
  heading.textContent = `${names.intervention} × ${names.outcome}`;
  const keys = document.createElement("p");
  keys.className = "label";
  keys.textContent = `${cell.interventionId} × ${cell.outcomeId}`;
  const table = document.createElement("table");
  table.id = "cell-facts";
  for (const [label, value] of cellFacts(cell)) {
    const row = table.insertRow();
    const name = document.createElement("th");
    name.textContent = label;
    row.append(name);
    row.insertCell().textContent = value;
  }
  const parts = [heading, keys, table];
  if (cell.strongest && cell.strongest.reasons.length > 0) {
    const reasons = document.createElement("ul");
    reasons.id = "cell-reasons";
    for (const reason of cell.strongest.reasons) reasons.append(Object.assign(document.createElement("li"), { textContent: reason }));
    parts.push(reasons);
  }
  gapDetails.replaceChildren(...parts);
  gapDetails.dataset.intervention = cell.interventionId;
  gapDetails.dataset.outcome = cell.outcomeId;
  gapDetails.dataset.status = cell.status;
}

function headerCell(text, attributes = {}) {
  const th = document.createElement("th");
  th.textContent = text;
  for (const [name, value] of Object.entries(attributes)) th.setAttribute(name, value);
  return th;
}

function drawGapMap(map) {
  const byKey = new Map(map.cells.map((cell) => [`${cell.interventionId}|${cell.outcomeId}`, cell]));
  const outcomes = map.domains.flatMap((group) => group.outcomes.map((outcome) => ({ ...outcome, domain: group.domain })));
  const table = document.createElement("table");
  const head = table.createTHead();
  const domainRow = head.insertRow();
  domainRow.append(headerCell("Intervention \\ outcome", { rowspan: "2", scope: "col" }));
  for (const group of map.domains) {
    domainRow.append(headerCell(words(group.domain), { colspan: String(group.outcomes.length), scope: "colgroup", class: "domain" }));
  }
  const outcomeRow = head.insertRow();
  for (const outcome of outcomes) {
    const th = headerCell(outcome.name, { scope: "col", "data-outcome": outcome.id });
    // Narrower outcomes are evidence on their broader one; the indent says which is which.
    if (outcome.partOfId) th.classList.add("narrower");
    outcomeRow.append(th);
  }
  const body = table.createTBody();
  for (const intervention of map.interventions) {
    const row = body.insertRow();
    row.append(headerCell(intervention.name, { scope: "row", "data-intervention": intervention.id }));
    for (const outcome of outcomes) {
      const td = row.insertCell();
      const cell = byKey.get(`${intervention.id}|${outcome.id}`);
      if (!cell) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "cell";
      button.dataset.intervention = cell.interventionId;
      button.dataset.outcome = cell.outcomeId;
      button.dataset.status = cell.status;
      button.dataset.kind = cellKind(cell);
      button.setAttribute("aria-pressed", "false");
      button.textContent = cell.strongest ? cell.strongest.eifValue : cell.status === "ONLY_ONGOING" ? "…" : "";
      const names = { intervention: intervention.name, outcome: outcome.name };
      button.title = `${names.intervention} × ${names.outcome}\n${cellFacts(cell).map(([k, v]) => `${k}: ${v}`).join("\n")}`;
      button.setAttribute("aria-label", `${names.intervention} × ${names.outcome}: ${words(cell.status)}`);
      button.addEventListener("click", () => showCell(cell, names, button));
      td.append(button);
    }
  }
  gapTable.replaceChildren(table);
}

function fillGapLegend() {
  const legend = document.getElementById("gap-legend");
  for (const [kind, text] of GAP_LEGEND) {
    const swatch = Object.assign(document.createElement("span"), { className: "cell" });
    swatch.dataset.kind = kind;
    const item = document.createElement("li");
    item.append(swatch, text);
    legend.append(item);
  }
}

async function loadGapMap() {
  setStatus("Loading the evidence gap map…");
  try {
    const map = (await graphql(GAP_MAP)).evidenceGapMap;
    drawGapMap(map);
    setStatus(`${map.interventions.length} interventions × ${map.domains.reduce((n, g) => n + g.outcomes.length, 0)} outcomes`);
    document.body.dataset.gapMap = "drawn";
  } catch (error) {
    gapMapLoaded = null;
    setStatus(`Could not load the evidence gap map: ${error.message}`, true);
  }
}

// Views switch by hiding one panel; the network keeps what it drew. The URL remembers the
// view (?view=gap-map) beside the network's ?focus=.
function showView(name) {
  const gap = name === "gap-map";
  gapView.hidden = !gap;
  networkView.hidden = gap;
  document.body.dataset.view = gap ? "gap-map" : "network";
  document.getElementById("tab-network").setAttribute("aria-selected", String(!gap));
  document.getElementById("tab-gap-map").setAttribute("aria-selected", String(gap));
  const query = new URLSearchParams(location.search);
  if (gap) query.set("view", "gap-map");
  else query.delete("view");
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
  if (gap && gapMapLoaded === null) gapMapLoaded = loadGapMap();
}

fillGapLegend();
document.getElementById("tab-network").addEventListener("click", () => showView("network"));
document.getElementById("tab-gap-map").addEventListener("click", () => showView("gap-map"));
if (new URLSearchParams(location.search).get("view") === "gap-map") showView("gap-map");
window.gapMap = { showView };
