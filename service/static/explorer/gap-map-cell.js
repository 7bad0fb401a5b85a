// A gap-map cell opened: its numbers at once, then the judgement the service makes for
// it (evidenceJudgement) with the trials and findings that decided it, their studies, and
// the caveats the service's one judgement attaches (harmful or null trials, UK trials,
// disputed or asterisked ratings, schemes that disagree).
import { element, factTable, graphql, words } from "./api.js";
import { cellFacts } from "./gap-map.js";

const JUDGEMENT = `query($intervention: ID!, $outcome: ID!) {
  evidenceJudgement(interventionId: $intervention, outcomeId: $outcome) {
    status
    strongest {
      eifLevel eifValue mixed titleIvE commonScale commonScaleLabel direction reasons
      consistency { label trials favourableTrials nullTrials harmfulTrials ukTrials }
      caveats { code text }
      decidingTrials {
        id name design country uk independent designRating appraisalBasis
        missingAttributes direction harmful longestFollowUpMonths publicationIds
      }
      decidingFindings {
        id measure direction significant followUpMonths summary
        study { id title year design designRating status country independent }
      }
    }
  }
}`;

const panel = document.getElementById("gap-details");

function trialItem(trial) {
  const facts = [
    [words(trial.design), trial.country].filter(Boolean).join(", "),
    trial.uk ? "UK trial" : null,
    trial.independent ? "independent" : "not independent (or not recorded)",
    `design rating ${words(trial.designRating)} (${trial.appraisalBasis})`,
    trial.missingAttributes.length ? `not recorded: ${trial.missingAttributes.join(", ")}` : null,
    trial.longestFollowUpMonths === null ? null : `${trial.longestFollowUpMonths} months follow-up`,
    `${trial.publicationIds.length} publication${trial.publicationIds.length === 1 ? "" : "s"}`,
  ].filter(Boolean);
  const head = element("p", { className: "finding-head" },
    element("strong", { textContent: trial.harmful ? "Harmful" : words(trial.direction) }),
    ` · ${trial.name}`);
  const item = element("li", {}, head, element("p", { className: "finding-study", textContent: facts.join(" · ") }));
  item.dataset.trial = trial.id;
  return item;
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
      ["Consistency", `${judgement.consistency.label} (${judgement.consistency.trials} trials: ${judgement.consistency.favourableTrials} favourable, ${judgement.consistency.nullTrials} null, ${judgement.consistency.harmfulTrials} harmful; ${judgement.consistency.ukTrials} in the UK)`],
    ], "judgement"));
    parts.push(element("h3", { textContent: "Why" }), element("ul", { id: "cell-reasons" }, ...judgement.reasons.map((r) => element("li", { textContent: r }))));
    parts.push(element("h3", { textContent: "Deciding trials" }), element("ul", { id: "deciding-trials" }, ...judgement.decidingTrials.map(trialItem)));
    parts.push(element("h3", { textContent: "Deciding findings" }), element("ul", { id: "deciding-findings" }, ...judgement.decidingFindings.map(findingItem)));
    const notes = judgement.caveats.map((caveat) => {
      const item = element("li", { textContent: caveat.text, title: caveat.code });
      item.dataset.code = caveat.code;
      return item;
    });
    parts.push(element("h3", { textContent: "Caveats" }), element("ul", { id: "caveats" }, ...(notes.length ? notes : [element("li", { textContent: "None." })])));
  }
  loading.replaceWith(...parts);
  panel.dataset.judgement = "shown";
}
