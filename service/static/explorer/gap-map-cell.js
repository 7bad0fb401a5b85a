// A gap-map cell opened: its numbers at once, then the judgement the service makes for
// it (evidenceJudgement) with the findings that decided it, their studies, and the
// caveats those findings carry.
import { element, factTable, graphql, words } from "./api.js";
import { cellFacts } from "./gap-map.js";

const JUDGEMENT = `query($intervention: ID!, $outcome: ID!) {
  evidenceJudgement(interventionId: $intervention, outcomeId: $outcome) {
    status
    strongest {
      eifLevel eifValue mixed titleIvE commonScale commonScaleLabel direction reasons
      decidingFindings {
        id measure direction significant followUpMonths summary
        study { id title year design designRating status country independent }
      }
    }
  }
}`;

const panel = document.getElementById("gap-details");

// Caveats stated by the data itself: mixed evidence, deciding studies run by the
// developer, deciding findings that were not favourable or not significant.
function caveats(judgement) {
  const notes = [];
  if (judgement.mixed) notes.push("Mixed evidence: favourable and null or harmful findings at the deciding tier.");
  for (const finding of judgement.decidingFindings) {
    const study = finding.study;
    if (study.independent === false) notes.push(`${study.title} (${study.year}) was not independent of the developer.`);
    if (finding.direction === "UNFAVOURABLE") notes.push(`Harmful finding: ${finding.measure}.`);
    if (finding.significant === false) notes.push(`Not statistically significant: ${finding.measure}.`);
  }
  return notes;
}

function findingItem(finding) {
  const study = finding.study;
  const head = element("p", { className: "finding-head" },
    element("strong", { textContent: words(finding.direction) }),
    ` · ${finding.measure}`);
  const facts = [
    `${study.title} (${study.year ?? "–"})`,
    `${words(study.design)}${study.designRating ? `, design rating ${words(study.designRating)}` : ""}`,
    study.independent === null ? "independence not recorded" : study.independent ? "independent" : "not independent",
    finding.significant === null ? "significance not recorded" : finding.significant ? "significant" : "not significant",
    finding.followUpMonths === null ? null : `${finding.followUpMonths} months follow-up`,
  ].filter(Boolean);
  const item = element("li", {}, head, element("p", { className: "finding-study", textContent: facts.join(" · ") }));
  item.dataset.finding = finding.id;
  item.dataset.study = study.id;
  return item;
}

export async function showJudgement(cell, names) {
  const heading = element("h2", { textContent: `${names.intervention} × ${names.outcome}` });
  const keys = element("p", { className: "label", textContent: `${cell.interventionId} × ${cell.outcomeId}` });
  const loading = element("p", { className: "hint", id: "judgement-loading", textContent: "Loading the judgement…" });
  panel.replaceChildren(heading, keys, factTable(cellFacts(cell), "cell-facts"), loading);
  Object.assign(panel.dataset, { intervention: cell.interventionId, outcome: cell.outcomeId, status: cell.status, judgement: "loading" });
  let answer;
  try {
    answer = (await graphql(JUDGEMENT, { intervention: cell.interventionId, outcome: cell.outcomeId })).evidenceJudgement;
  } catch (error) {
    loading.textContent = `Could not load the judgement: ${error.message}`;
    return;
  }
  if (panel.dataset.intervention !== cell.interventionId || panel.dataset.outcome !== cell.outcomeId) return;
  const judgement = answer && answer.strongest;
  const parts = [];
  if (!judgement) {
    parts.push(element("p", { id: "judgement-none", textContent: "No judgement: no completed study has reported on this cell." }));
  } else {
    parts.push(element("h3", { textContent: "Judgement" }), factTable([
      ["EIF-style level", judgement.eifValue],
      ["Title IV-E", judgement.titleIvE],
      ["Common scale", `${judgement.commonScale} ${judgement.commonScaleLabel}`],
      ["Direction", words(judgement.direction)],
    ], "judgement"));
    parts.push(element("h3", { textContent: "Why" }), element("ul", { id: "cell-reasons" }, ...judgement.reasons.map((r) => element("li", { textContent: r }))));
    parts.push(element("h3", { textContent: "Deciding findings" }), element("ul", { id: "deciding-findings" }, ...judgement.decidingFindings.map(findingItem)));
    const notes = caveats(judgement);
    parts.push(element("h3", { textContent: "Caveats" }), element("ul", { id: "caveats" }, ...(notes.length ? notes : ["None recorded against the deciding findings."]).map((c) => element("li", { textContent: c }))));
  }
  loading.replaceWith(...parts);
  panel.dataset.judgement = "shown";
}
