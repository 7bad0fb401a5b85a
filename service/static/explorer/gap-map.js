// The evidence gap map as a heatmap: interventions as rows, outcomes as columns grouped
// by domain, each cell coloured by its status and the common-scale level of its
// strongest evidence (docs/evidence-rules.md). Filters are the API's own (outcome
// domain, intervention kind) plus level of need, which picks the interventions first.
// Headers stay in view while the table scrolls; a cell opens its judgement.
import { allPages, element, graphql, setStatus, words } from "./api.js";
import { showJudgement } from "./gap-map-cell.js";

const GAP_MAP = `query($filter: GapMapFilter) {
  evidenceGapMap(filter: $filter) {
    interventions { id name kind }
    domains { domain outcomes { id name partOfId } }
    cells {
      interventionId outcomeId status studyCount ongoingStudyCount findingCount
      studiesByDesign { design count }
      findingsByDirection { direction count }
      strongest { eifValue titleIvE commonScale commonScaleLabel direction mixed }
    }
  }
}`;
const BY_NEED = `query($need: [LevelOfNeed!], $after: String) {
  interventions(filter: {levelOfNeedIn: $need}, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}`;

export const DOMAINS = ["CHILD_SAFETY", "CHILD_BEHAVIOUR", "CHILD_DEVELOPMENT", "MENTAL_HEALTH", "PARENTING", "FAMILY_FUNCTIONING", "SYSTEM", "EDUCATION", "OTHER"];
export const KINDS = ["PROGRAMME", "PRACTICE_MODEL", "SYSTEM_ARRANGEMENT", "SERVICE"];
export const NEEDS = ["UNIVERSAL", "TARGETED_SELECTED", "TARGETED_INDICATED", "SPECIALIST"];

// What a cell's colour says, in legend order (data-kind of the cell).
export const GAP_LEGEND = [
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

export const gapMap = {
  domains: new Set(), kinds: new Set(), needs: new Set(), // empty: no filter
  cell: null, // "interventionId|outcomeId" of the open cell
  shown: null, // the map as drawn: { interventions, outcomes, cells }
  listeners: new Set(),
};

const table = document.getElementById("gap-map");

export function cellKind(cell) {
  if (cell.status !== "EVIDENCE") return cell.status;
  return cell.strongest && cell.strongest.commonScale !== null ? String(cell.strongest.commonScale) : "unjudged";
}

function counts(list, key) {
  return list.map((item) => `${words(item[key])} ${item.count}`).join(", ") || "none";
}

export function cellFacts(cell) {
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

function headerCell(text, attributes = {}) {
  const th = element("th", { textContent: text });
  for (const [name, value] of Object.entries(attributes)) th.setAttribute(name, value);
  return th;
}

function openCell(cell, names, button) {
  for (const pressed of table.querySelectorAll(".cell[aria-pressed='true']")) pressed.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-pressed", "true");
  gapMap.cell = `${cell.interventionId}|${cell.outcomeId}`;
  changed();
  return showJudgement(cell, names);
}

function draw(map) {
  const byKey = new Map(map.cells.map((cell) => [`${cell.interventionId}|${cell.outcomeId}`, cell]));
  const outcomes = map.domains.flatMap((group) => group.outcomes.map((outcome) => ({ ...outcome, domain: group.domain })));
  gapMap.shown = { interventions: map.interventions, outcomes, byKey };
  const grid = element("table", { id: "gap-table" });
  grid.append(element("caption", { className: "visually-hidden", textContent: "Evidence gap map: interventions by outcomes" }));
  const head = grid.createTHead();
  const domainRow = head.insertRow();
  domainRow.append(headerCell("Intervention \\ outcome", { rowspan: "2", scope: "col", class: "corner" }));
  for (const group of map.domains) {
    domainRow.append(headerCell(words(group.domain), { colspan: String(group.outcomes.length), scope: "colgroup", class: "domain" }));
  }
  const outcomeRow = head.insertRow();
  for (const outcome of outcomes) {
    const th = headerCell(outcome.name, { scope: "col", "data-outcome": outcome.id });
    if (outcome.partOfId) th.classList.add("narrower");
    outcomeRow.append(th);
  }
  const body = grid.createTBody();
  for (const intervention of map.interventions) {
    const row = body.insertRow();
    row.append(headerCell(intervention.name, { scope: "row", "data-intervention": intervention.id }));
    for (const outcome of outcomes) {
      const td = row.insertCell();
      const cell = byKey.get(`${intervention.id}|${outcome.id}`);
      if (!cell) continue;
      const names = { intervention: intervention.name, outcome: outcome.name };
      const button = element("button", { type: "button", className: "cell" });
      Object.assign(button.dataset, { intervention: cell.interventionId, outcome: cell.outcomeId, status: cell.status, kind: cellKind(cell) });
      button.setAttribute("aria-pressed", "false");
      button.textContent = cell.strongest ? cell.strongest.eifValue : cell.status === "ONLY_ONGOING" ? "…" : "";
      button.title = `${names.intervention} × ${names.outcome}\n${cellFacts(cell).map(([k, v]) => `${k}: ${v}`).join("\n")}`;
      button.setAttribute("aria-label", `${names.intervention} × ${names.outcome}: ${words(cell.status)}${cell.strongest ? `, ${cell.strongest.eifValue}` : ""}`);
      button.addEventListener("click", () => openCell(cell, names, button));
      td.append(button);
    }
  }
  table.replaceChildren(grid);
  // The outcome row sticks just below the domain row, wherever that ends.
  table.style.setProperty("--domain-row", `${domainRow.getBoundingClientRect().height}px`);
}

function fillLegend() {
  const legend = document.getElementById("gap-legend");
  for (const [kind, text] of GAP_LEGEND) {
    const swatch = element("span", { className: "cell" });
    swatch.dataset.kind = kind;
    legend.append(element("li", {}, swatch, text));
  }
}

// The filter the API takes; interventionIds comes from the level-of-need filter.
async function apiFilter() {
  const filter = {};
  if (gapMap.domains.size) filter.outcomeDomains = [...gapMap.domains];
  if (gapMap.kinds.size) filter.interventionKinds = [...gapMap.kinds];
  if (gapMap.needs.size) {
    const items = await allPages(BY_NEED, "interventions", { need: [...gapMap.needs] });
    filter.interventionIds = items.map((i) => i.id);
  }
  return filter;
}

export async function loadGapMap() {
  setStatus("Loading the evidence gap map…");
  document.body.dataset.gapMap = "loading";
  try {
    const filter = await apiFilter();
    const map = filter.interventionIds && filter.interventionIds.length === 0
      ? { interventions: [], domains: [], cells: [] }
      : (await graphql(GAP_MAP, { filter })).evidenceGapMap;
    draw(map);
    const columns = map.domains.reduce((n, g) => n + g.outcomes.length, 0);
    setStatus(`${map.interventions.length} interventions × ${columns} outcomes`);
    document.body.dataset.gapMap = "drawn";
    const [interventionId, outcomeId] = (gapMap.cell || "").split("|");
    const open = table.querySelector(`.cell[data-intervention="${CSS.escape(interventionId || "")}"][data-outcome="${CSS.escape(outcomeId || "")}"]`);
    if (open) open.click();
  } catch (error) {
    setStatus(`Could not load the evidence gap map: ${error.message}`, true);
    document.body.dataset.gapMap = "failed";
  }
}

function changed() {
  for (const listener of gapMap.listeners) listener();
}

function filterBoxes(containerId, name, values, chosen) {
  const container = document.getElementById(containerId);
  for (const value of values) {
    const box = element("input", { type: "checkbox", name, value, checked: chosen.has(value) });
    box.addEventListener("change", () => {
      if (box.checked) chosen.add(value);
      else chosen.delete(value);
      changed();
      loadGapMap();
    });
    container.append(element("label", { className: "check" }, box, ` ${words(value)}`));
  }
}

export function buildGapMap() {
  fillLegend();
  filterBoxes("gap-domains", "domain", DOMAINS, gapMap.domains);
  filterBoxes("gap-kinds", "kind", KINDS, gapMap.kinds);
  filterBoxes("gap-needs", "need", NEEDS, gapMap.needs);
}

export function onGapMapChange(listener) {
  gapMap.listeners.add(listener);
}
