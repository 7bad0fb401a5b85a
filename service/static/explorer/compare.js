// Compare: interventions side by side (fit, cost, use, ratings per scheme with dates,
// judgements per outcome, trials and their publications) and agencies side by side (the arrangements they
// take part in and what they deliver and fund). One aliased request per table.
import { element, graphql, setStatus, words } from "./api.js";
import { shownDate } from "./evidence-facts.js";
import { searchBox } from "./search.js";

const INTERVENTION_FIELDS = `id name kind levelOfNeed minAge maxAge deliveryModel settings workforce costRating ukAvailable ukTested
  ratings { scheme value ratedOn ratedOnPrecision topic commonScale caveats { kind text } }
  caveats { kind text }
  studies { id title year design designRating status trial { id } }`;
const AGENCY_FIELDS = `id name sector areaType region
  participations { role since until intervention { id name } }
  deliveries { status since until intervention { id name } }
  funding { amount currency awardedOn intervention { id name } study { id title } }`;
const MAX_COMPARED = 6;

export const compare = { keys: [], listeners: new Set() };

function interventionQuery(count) {
  const variables = Array.from({ length: count }, (_, i) => `$i${i}: ID!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `i${i}: intervention(id: $i${i}) { ${INTERVENTION_FIELDS} }`).join("\n");
  return `query(${variables}, $ids: [ID!]) {
    ${fields}
    evidenceGapMap(filter: {interventionIds: $ids}) {
      domains { domain outcomes { id name } }
      cells { interventionId outcomeId status studyCount strongest { eifValue commonScale direction trialCount } }
    }
    practiceGap(interventionIds: $ids) { ranking { interventionId deliveringAgencies funders largestFundingTotal evidence { commonScale commonScaleLabel } } }
  }`;
}

function agencyQuery(count) {
  const variables = Array.from({ length: count }, (_, i) => `$a${i}: ID!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `a${i}: agency(id: $a${i}) { ${AGENCY_FIELDS} }`).join("\n");
  return `query(${variables}) { ${fields} }`;
}

function ids(label) {
  return compare.keys.filter((k) => k.startsWith(`${label}:`)).map((k) => k.slice(label.length + 1));
}

// A table with one column per compared item: rows are [heading, cell text per item].
function sideBySide(id, items, sections) {
  const table = element("table", { id, className: "compare" });
  const head = table.createTHead().insertRow();
  head.append(element("th", { scope: "col" }, element("span", { className: "visually-hidden", textContent: "Aspect" })));
  for (const item of items) {
    const th = element("th", { scope: "col", textContent: item.name });
    const drop = element("button", { type: "button", className: "drop", textContent: "×", title: `Remove ${item.name}` });
    drop.setAttribute("aria-label", `Remove ${item.name} from the comparison`);
    drop.addEventListener("click", () => removeKey(item.key));
    th.append(" ", drop);
    th.dataset.key = item.key;
    head.append(th);
  }
  for (const [section, rows] of sections) {
    const body = table.createTBody();
    body.insertRow().append(element("th", { scope: "rowgroup", colSpan: items.length + 1, className: "section", textContent: section }));
    for (const [heading, cells] of rows) {
      const row = body.insertRow();
      row.append(element("th", { scope: "row", textContent: heading }));
      for (const text of cells) row.insertCell().textContent = text;
    }
  }
  return table;
}

function ratingText(ratings, scheme) {
  const of = ratings.filter((r) => r.scheme === scheme).sort((a, b) => b.ratedOn.localeCompare(a.ratedOn));
  if (of.length === 0) return "–";
  return of.map((r, i) => {
    const caveats = r.caveats.length ? ` [${r.caveats.map((c) => `${words(c.kind)}: ${c.text}`).join("; ")}]` : "";
    return `${r.value} (${shownDate(r.ratedOn, r.ratedOnPrecision)}${r.topic ? `, ${r.topic}` : ""})${caveats}${i === 0 ? "" : " earlier"}`;
  }).join("; ");
}

// Publications of one sample count once: a study without a recorded trial is its own.
function trialCount(studies) {
  return new Set(studies.map((s) => (s.trial ? `trial:${s.trial.id}` : `study:${s.id}`))).size;
}

async function interventionTable() {
  const chosen = ids("Intervention");
  if (chosen.length === 0) return null;
  const variables = Object.fromEntries(chosen.map((id, i) => [`i${i}`, id]));
  const data = await graphql(interventionQuery(chosen.length), { ...variables, ids: chosen });
  const items = chosen.map((id, i) => ({ ...data[`i${i}`], key: `Intervention:${id}` })).filter((item) => item.id);
  const use = new Map(data.practiceGap.ranking.map((entry) => [entry.interventionId, entry]));
  const cells = new Map(data.evidenceGapMap.cells.map((c) => [`${c.interventionId}|${c.outcomeId}`, c]));
  const per = (read) => items.map((item) => {
    const value = read(item);
    return value === null || value === undefined || value === "" ? "–" : String(value);
  });
  const yesNo = (v) => (v === null || v === undefined ? null : v ? "yes" : "no");
  const schemes = [...new Set(items.flatMap((item) => item.ratings.map((r) => r.scheme)))].sort();
  const outcomes = data.evidenceGapMap.domains.flatMap((d) => d.outcomes);
  const judged = outcomes.filter((o) => items.some((item) => cells.get(`${item.id}|${o.id}`)?.status !== "ABSOLUTE_GAP"));
  const judgement = (item, outcome) => {
    const cell = cells.get(`${item.id}|${outcome.id}`);
    if (!cell || cell.status === "ABSOLUTE_GAP") return "gap";
    if (!cell.strongest) return `${words(cell.status)} (${cell.studyCount} studies)`;
    return `${cell.strongest.eifValue} · ${words(cell.strongest.direction)} (${cell.strongest.trialCount} trials, ${cell.studyCount} studies)`;
  };
  return sideBySide("compare-interventions", items, [
    ["Fit", [
      ["Kind", per((i) => words(i.kind))],
      ["Level of need", per((i) => i.levelOfNeed && words(i.levelOfNeed))],
      ["Ages", per((i) => (i.minAge === null && i.maxAge === null ? null : `${i.minAge ?? "?"}–${i.maxAge ?? "?"}`))],
      ["Delivery", per((i) => i.deliveryModel && words(i.deliveryModel))],
      ["Settings", per((i) => (i.settings || []).join(", "))],
      ["Workforce", per((i) => i.workforce)],
      ["UK available / tested", per((i) => `${yesNo(i.ukAvailable) ?? "–"} / ${yesNo(i.ukTested) ?? "–"}`)],
    ]],
    ["Cost and use", [
      ["Cost rating (1–5)", per((i) => i.costRating)],
      ["Agencies delivering it", per((i) => use.get(i.id)?.deliveringAgencies)],
      ["Funders", per((i) => use.get(i.id)?.funders)],
    ]],
    ["Ratings per scheme (newest first)", [
      ["Evidence level", per((i) => use.get(i.id) && `${use.get(i.id).evidence.commonScale} ${use.get(i.id).evidence.commonScaleLabel}`)],
      ...schemes.map((scheme) => [words(scheme), per((i) => ratingText(i.ratings, scheme))]),
    ]],
    ["Judgement per outcome", judged.map((o) => [o.name, items.map((item) => judgement(item, o))])],
    ["Caveats recorded", [
      ["On the intervention", per((i) => i.caveats.map((c) => `${words(c.kind)}: ${c.text}`).join("; "))],
    ]],
    ["Trials and studies", [
      ["Trials (samples)", per((i) => trialCount(i.studies))],
      ["Publications", per((i) => i.studies.length)],
      ["Designs", per((i) => i.studies.map((s) => `${words(s.design)} ${s.year}`).join(", "))],
    ]],
  ]);
}

async function agencyTable() {
  const chosen = ids("Agency");
  if (chosen.length === 0) return null;
  const data = await graphql(agencyQuery(chosen.length), Object.fromEntries(chosen.map((id, i) => [`a${i}`, id])));
  const items = chosen.map((id, i) => ({ ...data[`a${i}`], key: `Agency:${id}` })).filter((item) => item.id);
  const arrangements = new Map();
  for (const item of items) for (const p of item.participations) arrangements.set(p.intervention.id, p.intervention.name);
  const delivered = new Map();
  for (const item of items) for (const d of item.deliveries) delivered.set(d.intervention.id, d.intervention.name);
  const period = (x) => (x.since || x.until ? ` (${x.since ?? "?"} to ${x.until ?? "now"})` : "");
  return sideBySide("compare-agencies", items, [
    ["Agency", [
      ["Sector", items.map((a) => words(a.sector))],
      ["Area type", items.map((a) => (a.areaType ? words(a.areaType) : "–"))],
      ["Region", items.map((a) => a.region || "–")],
    ]],
    ["Arrangements it takes part in (role)", [...arrangements].map(([id, name]) => [name, items.map((a) => {
      const p = a.participations.find((x) => x.intervention.id === id);
      return p ? `${p.role}${period(p)}` : "–";
    })])],
    ["Delivers", [...delivered].map(([id, name]) => [name, items.map((a) => {
      const d = a.deliveries.find((x) => x.intervention.id === id);
      return d ? `${d.status ? words(d.status) : "yes"}${period(d)}` : "–";
    })])],
    ["Funds", [["Awards", items.map((a) => a.funding.map((f) => `${f.intervention?.name || f.study?.title}: ${f.amount ?? "?"} ${f.currency ?? ""}`).join("; ") || "–")]]],
  ]);
}

function changed() {
  for (const listener of compare.listeners) listener();
}

export async function drawComparison() {
  const area = document.getElementById("compare-tables");
  document.body.dataset.compared = "loading";
  try {
    const tables = (await Promise.all([interventionTable(), agencyTable()])).filter(Boolean);
    area.replaceChildren(...(tables.length ? tables : [element("p", { className: "hint", textContent: "Add two or more interventions, or two or more agencies, to compare them." })]));
    setStatus(`Comparing ${compare.keys.length}`);
  } catch (error) {
    setStatus(`Could not compare: ${error.message}`, true);
  }
  document.body.dataset.compared = compare.keys.join(" ");
}

export function addKey(key) {
  if (compare.keys.includes(key) || compare.keys.length >= MAX_COMPARED) return;
  compare.keys.push(key);
  changed();
  return drawComparison();
}

function removeKey(key) {
  compare.keys = compare.keys.filter((k) => k !== key);
  changed();
  return drawComparison();
}

export function buildCompare() {
  const input = document.getElementById("compare-search");
  searchBox({
    input,
    list: document.getElementById("compare-results"),
    labels: ["Intervention", "Agency"],
    onChoose: (result) => {
      input.value = "";
      addKey(result.key);
    },
  });
}

export function onCompareChange(listener) {
  compare.listeners.add(listener);
}
