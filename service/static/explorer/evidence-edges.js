// Evidence drawn on edges: for each intervention and outcome both drawn, an EVIDENCE
// edge from the service's judgement of the intervention's findings on that outcome
// (evidenceGapMap), labelled with its EIF-style level, as wide as its common-scale
// level and coloured by its direction; the relationships of drawn findings take their
// finding's direction as colour too. These edges are drawn only: they are not stored
// relationships, so exports and paths never contain them.
import { element, graphql, words } from "./api.js";
import { cy, onChange } from "./scene.js";

const JUDGED = `query($interventions: [ID!], $outcomes: [ID!]) {
  evidenceGapMap(filter: {interventionIds: $interventions, outcomeIds: $outcomes}) {
    cells { interventionId outcomeId status strongest { eifValue commonScale direction mixed } }
  }
}`;

export const DIRECTION_COLOURS = {
  FAVOURABLE: "#2e7d32",
  NO_EFFECT: "#78858f",
  UNFAVOURABLE: "#c62828",
  MIXED: "#ef6c00",
  NONE: "#78858f",
};

export const evidence = { shown: false, listeners: new Set() };

cy.style()
  .selector("edge.evidence")
  .style({
    "line-color": "data(colour)", "target-arrow-color": "data(colour)", width: "data(width)",
    label: "data(caption)", "font-size": 9, "font-weight": "bold", color: "data(colour)",
    "line-style": (e) => (e.data("mixed") ? "dashed" : "solid"), "curve-style": "bezier",
  })
  .selector("edge.finding-direction")
  .style({ "line-color": "data(colour)", "target-arrow-color": "data(colour)", width: 2.5 })
  .update();

function idsOf(label) {
  return cy.nodes(`[label = "${label}"]`).map((n) => n.data("properties").id);
}

function colourFindingEdges(on) {
  cy.batch(() => {
    for (const finding of cy.nodes('[label = "Finding"]')) {
      const colour = DIRECTION_COLOURS[finding.data("properties").direction || "NONE"];
      for (const edge of finding.connectedEdges().not(".evidence")) {
        edge.toggleClass("finding-direction", on);
        if (on) edge.data("colour", colour);
      }
    }
  });
}

async function draw() {
  cy.edges(".evidence").remove();
  colourFindingEdges(evidence.shown);
  if (!evidence.shown) return legend();
  const interventions = idsOf("Intervention");
  const outcomes = idsOf("Outcome");
  if (interventions.length && outcomes.length) {
    const cells = (await graphql(JUDGED, { interventions, outcomes })).evidenceGapMap.cells;
    cy.edges(".evidence").remove();
    cy.add(cells.filter((c) => c.strongest).map((c) => {
      const best = c.strongest;
      return {
        group: "edges",
        classes: "evidence",
        data: {
          id: `evidence|Intervention:${c.interventionId}|Outcome:${c.outcomeId}`,
          source: `Intervention:${c.interventionId}`, target: `Outcome:${c.outcomeId}`,
          type: "EVIDENCE", caption: best.eifValue, colour: DIRECTION_COLOURS[best.direction] || DIRECTION_COLOURS.NONE,
          width: 1 + 1.5 * (best.commonScale ?? 0), mixed: best.mixed,
          properties: { eifValue: best.eifValue, commonScale: best.commonScale, direction: best.direction, mixed: best.mixed, judgedFrom: "findings (evidenceJudgement)" },
        },
      };
    }));
  }
  legend();
  document.body.dataset.evidenceEdges = String(cy.edges(".evidence").length);
}

function legend() {
  document.getElementById("legend-evidence")?.remove();
  if (!evidence.shown) return;
  const items = element("ul", { className: "swatches" }, ...Object.entries(DIRECTION_COLOURS).filter(([d]) => d !== "NONE").map(([direction, colour]) => {
    const swatch = element("span", { className: "swatch" });
    swatch.style.background = colour;
    return element("li", {}, swatch, words(direction));
  }));
  document.getElementById("legend").append(element("div", { id: "legend-evidence" },
    element("p", { className: "rule" }, "Evidence edges (judged from findings): label the EIF-style level, width the common-scale level 0–5, colour the direction, dashed when mixed"),
    items));
}

export function buildEvidenceEdges() {
  const box = document.getElementById("evidence-edges");
  box.checked = evidence.shown;
  box.addEventListener("change", async () => {
    evidence.shown = box.checked;
    await draw();
    for (const listener of evidence.listeners) listener();
  });
  onChange(async (what) => {
    if (what === "drawn" && evidence.shown) await draw();
  });
}

export function onEvidenceChange(listener) {
  evidence.listeners.add(listener);
}
