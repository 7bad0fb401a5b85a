// Scene controls: which labels and relationship types are shown, property filters
// (study year and design, agency sector, intervention evidence level), captions on or
// off, and the relationship types an expansion follows. Hidden elements stay in the
// scene (a filter can be undone); removing a node is scene.remove.
import { element, words } from "./api.js";
import { CROWDED, cy, LABEL_COLOURS, onChange } from "./scene.js";

export const RELATIONSHIP_TYPES = [
  "PARTICIPATES_IN", "DELIVERS", "FUNDS", "DEVELOPED", "CONDUCTED", "EVALUATES", "REPORTS",
  "ON_OUTCOME", "OF", "TARGETS", "VARIANT_OF", "ISSUED", "RATES", "SCOPED_TO", "PART_OF",
];
const DESIGNS = ["RCT", "QED", "PRE_POST", "OBSERVATIONAL", "QUALITATIVE", "MIXED_METHODS", "SYSTEMATIC_REVIEW", "META_ANALYSIS", "EVIDENCE_REVIEW"];
const SECTORS = ["POLICE", "CHILDRENS_SOCIAL_CARE", "HEALTH", "EDUCATION", "PROBATION", "LOCAL_GOVERNMENT", "CHARITY", "RESEARCH", "GOVERNMENT", "CLEARINGHOUSE", "FUNDER", "OTHER"];

export const filters = {
  hiddenLabels: new Set(),
  hiddenTypes: new Set(),
  captions: true,
  yearFrom: null,
  yearTo: null,
  designs: new Set(), // empty: every design
  sectors: new Set(), // empty: every sector
  minEvidence: null,
  expandTypes: new Set(RELATIONSHIP_TYPES),
  listeners: new Set(),
};

function checkboxes(container, name, values, checked, onToggle) {
  for (const value of values) {
    const box = element("input", { type: "checkbox", name, value, checked: checked(value) });
    box.addEventListener("change", () => onToggle(value, box.checked));
    container.append(element("label", { className: "check" }, box, ` ${words(value)}`));
  }
}

function numberOrNull(input) {
  return input.value === "" ? null : Number(input.value);
}

// Why a node is filtered out, or null when it passes every property filter.
function failsFilter(node) {
  const p = node.data("properties") || {};
  const label = node.data("label");
  if (label === "Study") {
    if (filters.yearFrom !== null && !(p.year >= filters.yearFrom)) return true;
    if (filters.yearTo !== null && !(p.year <= filters.yearTo)) return true;
    if (filters.designs.size > 0 && !filters.designs.has(p.design)) return true;
  }
  if (label === "Agency" && filters.sectors.size > 0 && !filters.sectors.has(p.sector)) return true;
  if (label === "Intervention" && filters.minEvidence !== null) {
    const level = node.data("evidenceLevel");
    if (level === undefined || level === null || level < filters.minEvidence) return true;
  }
  return false;
}

export function applyVisibility() {
  const edgeCaptions = filters.captions && cy.nodes().length <= CROWDED;
  // Classes change only where they differ: every change restyles its element.
  const setClass = (element, name, on) => {
    if (element.hasClass(name) !== on) element.toggleClass(name, on);
  };
  cy.batch(() => {
    for (const node of cy.nodes()) {
      setClass(node, "hidden", filters.hiddenLabels.has(node.data("label")) || failsFilter(node));
      setClass(node, "no-captions", !filters.captions);
    }
    for (const edge of cy.edges()) {
      const hidden = filters.hiddenTypes.has(edge.data("type")) || edge.source().hasClass("hidden") || edge.target().hasClass("hidden");
      setClass(edge, "hidden", hidden);
      setClass(edge, "no-captions", !edgeCaptions);
    }
  });
  const shown = cy.nodes().not(".hidden").length;
  document.getElementById("filter-summary").textContent = `${shown} of ${cy.nodes().length} nodes shown`;
}

function changed() {
  applyVisibility();
  for (const listener of filters.listeners) listener();
}

// Builds the controls from `filters` (read from the URL before this runs).
export function buildFilterControls() {
  checkboxes(document.getElementById("show-labels"), "label", Object.keys(LABEL_COLOURS), (v) => !filters.hiddenLabels.has(v), (v, on) => {
    if (on) filters.hiddenLabels.delete(v);
    else filters.hiddenLabels.add(v);
    changed();
  });
  checkboxes(document.getElementById("show-types"), "type", RELATIONSHIP_TYPES, (v) => !filters.hiddenTypes.has(v), (v, on) => {
    if (on) filters.hiddenTypes.delete(v);
    else filters.hiddenTypes.add(v);
    changed();
  });
  checkboxes(document.getElementById("expand-types"), "expand", RELATIONSHIP_TYPES, (v) => filters.expandTypes.has(v), (v, on) => {
    if (on) filters.expandTypes.add(v);
    else filters.expandTypes.delete(v);
    changed();
  });
  checkboxes(document.getElementById("filter-designs"), "design", DESIGNS, (v) => filters.designs.has(v), (v, on) => {
    if (on) filters.designs.add(v);
    else filters.designs.delete(v);
    changed();
  });
  checkboxes(document.getElementById("filter-sectors"), "sector", SECTORS, (v) => filters.sectors.has(v), (v, on) => {
    if (on) filters.sectors.add(v);
    else filters.sectors.delete(v);
    changed();
  });
  const captions = document.getElementById("captions");
  captions.checked = filters.captions;
  captions.addEventListener("change", () => {
    filters.captions = captions.checked;
    changed();
  });
  for (const [id, key] of [["year-from", "yearFrom"], ["year-to", "yearTo"], ["min-evidence", "minEvidence"]]) {
    const input = document.getElementById(id);
    input.value = filters[key] ?? "";
    input.addEventListener("change", () => {
      filters[key] = numberOrNull(input);
      changed();
    });
  }
  onChange(() => applyVisibility());
}

// The relationship types an expansion follows: null when all of them.
export function chosenExpandTypes() {
  return filters.expandTypes.size === RELATIONSHIP_TYPES.length ? null : [...filters.expandTypes];
}

export function onFiltersChange(listener) {
  filters.listeners.add(listener);
}
