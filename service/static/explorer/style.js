// Rule-based style: colour nodes and size them by a property the analyst chooses, with
// a legend that states the rule. Interventions also get their evidence level and use
// (practiceGap: common-scale level, delivering agencies, funders, funding) so those can
// drive the style and the evidence filter.
import { element, graphql, words } from "./api.js";
import { cy, LABEL_COLOURS, onChange } from "./scene.js";

const ENRICH = `query($ids: [ID!]) {
  practiceGap(interventionIds: $ids) {
    ranking { interventionId deliveringAgencies funders largestFundingTotal evidence { commonScale } }
  }
}`;

// What a rule can use: [name, what it reads as, how a node gives its value].
export const STYLE_PROPERTIES = {
  label: ["Label", (n) => n.data("label")],
  evidenceLevel: ["Evidence level (interventions, common scale 0–5)", (n) => n.data("evidenceLevel")],
  deliveringAgencies: ["Agencies delivering it (interventions)", (n) => n.data("deliveringAgencies")],
  fundingTotal: ["Largest funding total (interventions)", (n) => n.data("fundingTotal")],
  kind: ["Intervention kind", (n) => n.data("properties").kind],
  levelOfNeed: ["Level of need", (n) => n.data("properties").levelOfNeed],
  costRating: ["Cost rating (1–5)", (n) => n.data("properties").costRating],
  sector: ["Agency sector", (n) => n.data("properties").sector],
  areaType: ["Area type (councils)", (n) => n.data("properties").areaType],
  year: ["Study year", (n) => n.data("properties").year],
  design: ["Study design", (n) => n.data("properties").design],
  sampleSize: ["Sample size", (n) => n.data("properties").sampleSize],
  direction: ["Finding direction", (n) => n.data("properties").direction],
  scheme: ["Rating scheme", (n) => n.data("properties").scheme],
  degree: ["Connections drawn", (n) => n.degree(false)],
};

const PALETTE = ["#1f6fb2", "#b35c00", "#2e7d4f", "#8e44ad", "#c0392b", "#00838f", "#6d4c41", "#ad1457", "#558b2f", "#37474f", "#f9a825", "#5c6bc0"];
// Light to dark blue for numbers: low values pale, high values dark.
const RAMP = [[222, 235, 247], [8, 48, 107]];
const NO_VALUE = "#c8ced6";
const SIZE_RANGE = [16, 48];
const DEFAULT_SIZE = 22;

export const style = { colourBy: "label", sizeBy: "", listeners: new Set() };

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function ramp(t) {
  const [a, b] = RAMP;
  const mix = a.map((from, i) => Math.round(from + (b[i] - from) * t));
  return `rgb(${mix.join(", ")})`;
}

function valuesOf(property) {
  const read = STYLE_PROPERTIES[property][1];
  return cy.nodes().map((n) => read(n)).filter((v) => v !== undefined && v !== null);
}

// The colour rule as a function of a node and the legend entries that explain it.
function colourRule(property) {
  const read = STYLE_PROPERTIES[property][1];
  if (property === "label") {
    return { colour: (n) => LABEL_COLOURS[n.data("label")] || NO_VALUE, legend: Object.entries(LABEL_COLOURS) };
  }
  const values = valuesOf(property);
  if (values.length > 0 && values.every(isNumber)) {
    const low = Math.min(...values);
    const high = Math.max(...values);
    const at = (v) => (high === low ? 1 : (v - low) / (high - low));
    return {
      colour: (n) => (isNumber(read(n)) ? ramp(at(read(n))) : NO_VALUE),
      legend: [[`${low}`, ramp(0)], [`${high}`, ramp(1)], ["no value", NO_VALUE]],
      numeric: true,
    };
  }
  const distinct = [...new Set(values.map(String))].sort();
  const colours = new Map(distinct.map((v, i) => [v, PALETTE[i % PALETTE.length]]));
  return {
    colour: (n) => colours.get(String(read(n))) || NO_VALUE,
    legend: [...distinct.map((v) => [words(v), colours.get(v)]), ["no value", NO_VALUE]],
  };
}

function sizeRule(property) {
  if (!property) return { size: () => DEFAULT_SIZE, range: null };
  const read = STYLE_PROPERTIES[property][1];
  const values = valuesOf(property).filter(isNumber);
  const low = values.length ? Math.min(...values) : 0;
  const high = values.length ? Math.max(...values) : 0;
  const [small, large] = SIZE_RANGE;
  const size = (n) => {
    const v = read(n);
    if (!isNumber(v)) return DEFAULT_SIZE;
    return high === low ? large : Math.round(small + ((v - low) / (high - low)) * (large - small));
  };
  return { size, range: [low, high] };
}

function drawLegend(colour, size) {
  const legend = document.getElementById("legend");
  const colourPart = element("p", { className: "rule", id: "legend-colour" }, `Colour: ${STYLE_PROPERTIES[style.colourBy][0]}${colour.numeric ? " (pale low, dark high)" : ""}`);
  const items = element("ul", { className: "swatches" });
  for (const [text, fill] of colour.legend) {
    const item = element("li", {}, element("span", { className: "swatch" }), text);
    item.firstChild.style.background = fill;
    item.dataset.colour = fill;
    items.append(item);
  }
  const parts = [colourPart, items];
  if (style.sizeBy) {
    const [low, high] = size.range;
    parts.push(element("p", { className: "rule", id: "legend-size" }, `Size: ${STYLE_PROPERTIES[style.sizeBy][0]}, ${low} → ${SIZE_RANGE[0]} px to ${high} → ${SIZE_RANGE[1]} px; no value ${DEFAULT_SIZE} px`));
  }
  // The evidence-edge rule (evidence-edges.js) keeps its place under the node rules.
  const evidenceRule = document.getElementById("legend-evidence");
  legend.replaceChildren(...parts, ...(evidenceRule ? [evidenceRule] : []));
}

export function applyStyle() {
  const colour = colourRule(style.colourBy);
  const size = sizeRule(style.sizeBy);
  cy.batch(() => {
    for (const node of cy.nodes()) {
      const [fill, diameter] = [colour.colour(node), size.size(node)];
      // Unchanged data is not set again: every change restyles the node.
      if (node.data("colour") !== fill || node.data("size") !== diameter) node.data({ colour: fill, size: diameter });
    }
  });
  drawLegend(colour, size);
}

// Evidence level and use for the interventions drawn that do not have them yet.
async function enrich() {
  const missing = cy.nodes('[label = "Intervention"]').filter((n) => n.data("enriched") === undefined);
  if (missing.empty()) return;
  const ids = missing.map((n) => n.data("properties").id);
  missing.data("enriched", false);
  const ranking = (await graphql(ENRICH, { ids })).practiceGap.ranking;
  for (const entry of ranking) {
    cy.getElementById(`Intervention:${entry.interventionId}`).data({
      enriched: true,
      evidenceLevel: entry.evidence.commonScale,
      deliveringAgencies: entry.deliveringAgencies,
      fundingTotal: entry.largestFundingTotal,
    });
  }
}

function fillSelect(select, withNone) {
  if (withNone) select.append(new Option("Same size for all", ""));
  for (const [value, [text]] of Object.entries(STYLE_PROPERTIES)) {
    if (withNone && ["label", "kind", "levelOfNeed", "sector", "areaType", "design", "direction", "scheme"].includes(value)) continue;
    select.append(new Option(text, value));
  }
}

export function buildStyleControls() {
  const colourBy = document.getElementById("colour-by");
  const sizeBy = document.getElementById("size-by");
  fillSelect(colourBy, false);
  fillSelect(sizeBy, true);
  colourBy.value = style.colourBy;
  sizeBy.value = style.sizeBy;
  const update = () => {
    style.colourBy = colourBy.value;
    style.sizeBy = sizeBy.value;
    applyStyle();
    for (const listener of style.listeners) listener();
  };
  colourBy.addEventListener("change", update);
  sizeBy.addEventListener("change", update);
  onChange(async (what) => {
    if (what !== "added" && what !== "drawn") return;
    if (what === "added") await enrich().catch(() => {});
    applyStyle();
    document.body.dataset.styled = String(cy.nodes().length);
  });
  applyStyle();
}

export function onStyleChange(listener) {
  style.listeners.add(listener);
}
