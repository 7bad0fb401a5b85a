// "What works here": the commissioner's question as a form (an outcome, the children's
// ages, the area type) and the service's ranked answer, each programme with its score
// broken into parts, its judgement and deciding trials, the caveats on its ratings and
// the cautions on its fit; and what was left out, with why.
import { allPages, element, graphql, setStatus, words } from "./api.js";

const OUTCOMES = `query($after: String) { outcomes(first: 100, after: $after) {
  edges { node { id name } } pageInfo { hasNextPage endCursor } } }`;
const RECOMMEND = `query($context: LocalContext!) { recommend(context: $context) {
  recommendations { rank interventionId name minAge maxAge hasHarmfulTrial relatedOnly
    score { total parts { name points reasons } }
    judgement { eifValue titleIvE direction consistency { label }
      decidingTrials { name design country direction } }
    ratingCaveats { code text } cautions { code message } }
  excluded { interventionId name reasons } } }`;

const form = () => document.getElementById("recommend-form");
const field = (id) => document.getElementById(id);

function number(id) {
  const text = field(id).value.trim();
  return text === "" ? null : Number(text);
}

function trialText(trial) {
  return `${trial.name} (${[words(trial.design), trial.country, words(trial.direction)].filter(Boolean).join(", ")})`;
}

function item(entry) {
  const j = entry.judgement;
  const ages = entry.minAge === null && entry.maxAge === null ? "ages not recorded" : `ages ${entry.minAge ?? "?"}–${entry.maxAge ?? "?"}`;
  const heading = element("h3", { textContent: `${entry.rank}. ${entry.name}: ${entry.score.total} points` });
  const rows = [
    ["Fit", ages],
    ["Judgement", j ? `EIF-style ${j.eifValue}, Title IV-E-style ${words(j.titleIvE)}, ${words(j.direction)} (${words(j.consistency.label)})` : "no finding on these outcomes"],
    ["Deciding trials", j && j.decidingTrials.length ? j.decidingTrials.map(trialText).join("; ") : "none"],
    ["Harm", entry.hasHarmfulTrial ? "a trial on these outcomes found harm: ranked below all without" : "no harmful trial on these outcomes"],
  ];
  if (entry.relatedOnly) rows.push(["Evidence", "on related outcomes only"]);
  const table = element("table", { className: "score-parts" });
  const head = table.createTHead().insertRow();
  for (const text of ["Part", "Points", "Why"]) head.append(element("th", { scope: "col", textContent: text }));
  const body = table.createTBody();
  for (const part of entry.score.parts) {
    const row = body.insertRow();
    row.append(element("th", { scope: "row", textContent: words(part.name) }));
    row.insertCell().textContent = String(part.points);
    row.insertCell().textContent = part.reasons.join("; ");
  }
  const notes = [
    ...entry.ratingCaveats.map((c) => `${words(c.code)}: ${c.text}`),
    ...entry.cautions.map((c) => `${words(c.code)}: ${c.message}`),
  ];
  const list = element("ul", { className: "notes" }, ...notes.map((text) => element("li", { textContent: text })));
  const facts = element("table", { className: "facts" });
  for (const [label, value] of rows) {
    const row = facts.insertRow();
    row.append(element("th", { scope: "row", textContent: label }));
    row.insertCell().textContent = value;
  }
  return element("li", { className: "recommendation" }, heading, facts, table, ...(notes.length ? [element("h4", { textContent: "Caveats and cautions" }), list] : []));
}

async function rank(event) {
  event.preventDefault();
  const context = {
    outcomeIds: [field("recommend-outcome").value],
    minAge: number("recommend-min-age"),
    maxAge: number("recommend-max-age"),
    areaType: field("recommend-area").value || null,
  };
  setStatus("Ranking…");
  try {
    const { recommend } = await graphql(RECOMMEND, { context });
    field("recommendations").replaceChildren(...recommend.recommendations.map(item));
    field("excluded").replaceChildren(...recommend.excluded.map((e) => element("li", { textContent: `${e.name}: ${e.reasons.join("; ")}` })));
    field("recommend-answer").hidden = false;
    form().dataset.ranked = JSON.stringify(context);
    setStatus(`${recommend.recommendations.length} ranked, ${recommend.excluded.length} left out`);
  } catch (error) {
    setStatus(`Could not rank: ${error.message}`, true);
  }
}

export async function buildRecommendView() {
  form().addEventListener("submit", rank);
  const outcomes = await allPages(OUTCOMES, "outcomes");
  field("recommend-outcome").replaceChildren(...outcomes.map((o) => element("option", { value: o.id, textContent: o.name })));
  form().dataset.loaded = "true";
}
