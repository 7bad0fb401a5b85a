// The evidence behind a clicked programme, study or rating, under its properties: every
// source the fact cites, a rating's date as precise as it was published ("as of" the day
// an undated page was read), its place on the common scale, and the caveats recorded on
// it, so a rating is never read without them.
import { element, factTable, graphql, words } from "./api.js";
import { addNodeSection } from "./details.js";

const CAVEATS = "caveats { kind text }";
const QUERIES = {
  Rating: `query($id: ID!) { node: rating(id: $id) { source sources ratedOn ratedOnPrecision
    commonScale commonScaleLabel mixedEvidence ${CAVEATS} } }`,
  Intervention: `query($id: ID!) { node: intervention(id: $id) { source sources ${CAVEATS} } }`,
  Study: `query($id: ID!) { node: study(id: $id) { source sources ${CAVEATS} } }`,
};

// "2019", "2019-06", "2019-06-20", or "as of 2026-11-30" when no date was published.
export function shownDate(date, precision) {
  if (precision === "AS_OF") return `as of ${date}`;
  return date.slice(0, { YEAR: 4, MONTH: 7 }[precision] ?? 10);
}

async function evidenceFacts(node) {
  const query = QUERIES[node.data("label")];
  if (!query) return null;
  const { node: facts } = await graphql(query, { id: node.id().split(":").slice(1).join(":") });
  if (!facts) return null;
  const rows = [["Sources", facts.sources?.length ? facts.sources : facts.source]];
  if (facts.ratedOn) {
    rows.push(["Rated on", shownDate(facts.ratedOn, facts.ratedOnPrecision)]);
    rows.push(["Common scale", facts.commonScale === null ? "not on the common scale" : `${facts.commonScale}: ${facts.commonScaleLabel}`]);
    if (facts.mixedEvidence) rows.push(["Mixed evidence", "flagged by the clearinghouse"]);
  }
  const caveats = facts.caveats.map((c) => `${words(c.kind)}: ${c.text}`);
  rows.push(["Caveats", caveats.length ? caveats.join(" · ") : "none recorded"]);
  return element("section", {}, element("h3", { textContent: "Evidence" }), factTable(rows, "evidence-facts"));
}

export function buildEvidenceFacts() {
  addNodeSection(evidenceFacts);
}
