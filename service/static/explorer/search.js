// Search first: comboboxes that find interventions (by name or alias), agencies,
// studies (by title) and outcomes as the analyst types and hand the chosen one back (the
// network view opens it, compare adds it). One request per pause in typing, the list
// fields aliased in it; intervention aliases are matched here, from a list of every
// intervention's aliases fetched once.
import { allPages, element, graphql, setStatus, words } from "./api.js";

// One aliased request per pause in typing, built from these fixed parts.
const PARTS = {
  Intervention: "interventions(filter: {nameContains: $text}, first: $first) { edges { node { id name kind } } }",
  Agency: "agencies(filter: {nameContains: $text}, first: $first) { edges { node { id name sector } } }",
  Study: "studies(filter: {titleContains: $text}, first: $first) { edges { node { id title year design } } }",
  Outcome: "outcomes(filter: {nameContains: $text}, first: $first) { edges { node { id name domain } } }",
};
const ALIASES = `query($after: String) {
  interventions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name kind aliases } } }
}`;
const PER_LABEL = 6;
const PAUSE_MS = 180;

let aliasIndex = null;

async function withAliases(text) {
  aliasIndex ??= allPages(ALIASES, "interventions").then((items) => items.filter((i) => (i.aliases || []).length > 0));
  const needle = text.toLowerCase();
  return (await aliasIndex)
    .map((i) => ({ ...i, alias: i.aliases.find((a) => a.toLowerCase().includes(needle)) }))
    .filter((i) => i.alias);
}

const FIELDS = { Intervention: "interventions", Agency: "agencies", Study: "studies", Outcome: "outcomes" };

async function find(text, labels) {
  const query = `query($text: String!, $first: Int!) { ${labels.map((l) => PARTS[l]).join("\n")} }`;
  const [data, aliased] = await Promise.all([
    graphql(query, { text, first: PER_LABEL }),
    labels.includes("Intervention") ? withAliases(text) : [],
  ]);
  const nodes = (label) => (labels.includes(label) ? data[FIELDS[label]].edges.map((e) => e.node) : []);
  const interventions = nodes("Intervention").map((i) => ({ key: `Intervention:${i.id}`, label: "Intervention", name: i.name, note: words(i.kind) }));
  for (const i of aliased) {
    const key = `Intervention:${i.id}`;
    const known = interventions.find((r) => r.key === key);
    if (known) known.note += ` · also “${i.alias}”`;
    else if (interventions.length < PER_LABEL * 2) interventions.push({ key, label: "Intervention", name: i.name, note: `also “${i.alias}”` });
  }
  return [
    ...interventions,
    ...nodes("Agency").map((a) => ({ key: `Agency:${a.id}`, label: "Agency", name: a.name, note: words(a.sector) })),
    ...nodes("Study").map((s) => ({ key: `Study:${s.id}`, label: "Study", name: s.title, note: `${s.year} · ${words(s.design)}` })),
    ...nodes("Outcome").map((o) => ({ key: `Outcome:${o.id}`, label: "Outcome", name: o.name, note: words(o.domain) })),
  ];
}

// A search box: `input` (role combobox) with its listbox `list`; `onChoose(result)` is
// called with the chosen { key, label, name }. Arrow keys move, Enter chooses.
export function searchBox({ input, list, labels = Object.keys(PARTS), onChoose }) {
  const state = { text: input.value.trim(), results: [], active: -1 };
  let timer = null;
  let asked = 0;
  const prefix = `${list.id}-option`;

  function setActive(index) {
    const options = list.querySelectorAll("[role=option]");
    state.active = options.length === 0 ? -1 : (index + options.length) % options.length;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === state.active)));
    const chosen = options[state.active];
    if (chosen) {
      input.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const result = state.results[index];
    if (!result) return;
    close();
    onChoose(result);
  }

  function render(results) {
    state.results = results;
    list.replaceChildren();
    let label = null;
    results.forEach((result, i) => {
      if (result.label !== label && labels.length > 1) {
        label = result.label;
        list.append(element("li", { role: "presentation", className: "group", textContent: label }));
      }
      const option = element("li", { role: "option", id: `${prefix}-${i}`, className: "option" },
        element("span", { className: "name", textContent: result.name }),
        element("span", { className: "note", textContent: ` ${result.note}` }));
      option.dataset.key = result.key;
      option.setAttribute("aria-selected", "false");
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(i));
      list.append(option);
    });
    if (results.length === 0) list.append(element("li", { role: "presentation", className: "empty", textContent: `Nothing called “${state.text}”` }));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(results.length ? 0 : -1);
    list.dataset.searched = state.text;
  }

  async function ask(text) {
    const ticket = ++asked;
    try {
      const results = await find(text, labels);
      // Only the answer to the latest text counts: typing may have moved on.
      if (ticket === asked && input.value.trim() === text) render(results);
    } catch (error) {
      setStatus(`Search failed: ${error.message}`, true);
    }
  }

  input.addEventListener("input", () => {
    state.text = input.value.trim();
    clearTimeout(timer);
    if (state.text.length < 2) {
      close();
      return;
    }
    timer = setTimeout(() => ask(state.text), PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden && state.results.length) render(state.results);
      else setActive(state.active + (event.key === "ArrowDown" ? 1 : -1));
      event.preventDefault();
    } else if (event.key === "Enter" && !list.hidden) {
      choose(state.active);
      event.preventDefault();
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  return state;
}
