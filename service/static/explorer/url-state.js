// The view's state in the URL, so a link reopens it: the view, the search text, what is
// drawn (opened and expanded nodes, removed ones), layout, filters, style, selection,
// paths, the gap map's filters and open cell, and what is compared. Every change
// replaces the URL (no history entry per click); opening a link reads it back.
import { evidence } from "./evidence-edges.js";
import { filters, RELATIONSHIP_TYPES } from "./filters.js";
import { gapMap } from "./gap-map.js";
import { compare } from "./compare.js";
import { paths } from "./paths.js";
import { scene, LAYOUTS } from "./scene.js";
import { selection } from "./details.js";
import { style, STYLE_PROPERTIES } from "./style.js";
import { views, VIEWS } from "./views.js";

export const searchText = { value: "" };
let restoring = false;

function list(params, name) {
  return (params.get(name) || "").split(",").filter(Boolean);
}

function setList(params, name, values) {
  const items = [...values];
  if (items.length) params.set(name, items.join(","));
}

function numberOrNull(text) {
  return text === null || text === "" || Number.isNaN(Number(text)) ? null : Number(text);
}

// What the URL says, as the state the modules hold; returns the drawing to restore.
export function readState(query = location.search) {
  const params = new URLSearchParams(query);
  if (VIEWS.includes(params.get("view"))) views.current = params.get("view");
  searchText.value = params.get("q") || "";
  if (params.get("layout") in LAYOUTS) scene.layout = params.get("layout");
  filters.hiddenLabels = new Set(list(params, "hide"));
  filters.hiddenTypes = new Set(list(params, "hideTypes"));
  filters.captions = params.get("captions") !== "off";
  filters.yearFrom = numberOrNull(params.get("yearFrom"));
  filters.yearTo = numberOrNull(params.get("yearTo"));
  filters.designs = new Set(list(params, "design"));
  filters.sectors = new Set(list(params, "sector"));
  filters.minEvidence = numberOrNull(params.get("minEvidence"));
  if (params.has("expandTypes")) filters.expandTypes = new Set(list(params, "expandTypes").filter((t) => RELATIONSHIP_TYPES.includes(t)));
  if (params.get("colour") in STYLE_PROPERTIES) style.colourBy = params.get("colour");
  if (params.get("size") in STYLE_PROPERTIES) style.sizeBy = params.get("size");
  evidence.shown = params.get("evidence") === "on";
  paths.from = params.get("from");
  paths.to = params.get("to");
  paths.maxLength = numberOrNull(params.get("maxLength")) ?? paths.maxLength;
  gapMap.domains = new Set(list(params, "domain"));
  gapMap.kinds = new Set(list(params, "kind"));
  gapMap.needs = new Set(list(params, "need"));
  gapMap.cell = params.get("cell");
  compare.keys = list(params, "compare");
  const seeds = [
    ...params.getAll("focus").map((key) => ({ key, types: null, opened: true })),
    ...params.getAll("expand").map((text) => {
      const [key, types] = text.split("~");
      return { key, types: types ? types.split(".") : null, opened: false };
    }),
  ];
  return { seeds, removed: params.getAll("removed"), selected: params.get("sel"), showPaths: params.get("paths") === "shown" };
}

export function writeState() {
  if (restoring) return;
  const params = new URLSearchParams();
  if (views.current !== "network") params.set("view", views.current);
  if (searchText.value) params.set("q", searchText.value);
  for (const seed of scene.seeds) {
    if (seed.opened) params.append("focus", seed.key);
    else params.append("expand", seed.types ? `${seed.key}~${seed.types.join(".")}` : seed.key);
  }
  for (const key of scene.removed) params.append("removed", key);
  if (scene.layout !== "cose") params.set("layout", scene.layout);
  setList(params, "hide", filters.hiddenLabels);
  setList(params, "hideTypes", filters.hiddenTypes);
  if (!filters.captions) params.set("captions", "off");
  if (filters.yearFrom !== null) params.set("yearFrom", filters.yearFrom);
  if (filters.yearTo !== null) params.set("yearTo", filters.yearTo);
  setList(params, "design", filters.designs);
  setList(params, "sector", filters.sectors);
  if (filters.minEvidence !== null) params.set("minEvidence", filters.minEvidence);
  if (filters.expandTypes.size !== RELATIONSHIP_TYPES.length) params.set("expandTypes", [...filters.expandTypes].join(","));
  if (style.colourBy !== "label") params.set("colour", style.colourBy);
  if (style.sizeBy) params.set("size", style.sizeBy);
  if (evidence.shown) params.set("evidence", "on");
  if (selection.key) params.set("sel", selection.key);
  if (paths.from) params.set("from", paths.from);
  if (paths.to) params.set("to", paths.to);
  if (paths.found) params.set("paths", "shown");
  if (paths.maxLength !== 4) params.set("maxLength", paths.maxLength);
  setList(params, "domain", gapMap.domains);
  setList(params, "kind", gapMap.kinds);
  setList(params, "need", gapMap.needs);
  if (gapMap.cell) params.set("cell", gapMap.cell);
  setList(params, "compare", compare.keys);
  const text = params.toString();
  history.replaceState(null, "", text ? `?${text}` : location.pathname);
}

// Runs `work` (the restoring of a link) without writing half-restored state back.
export async function whileRestoring(work) {
  restoring = true;
  try {
    await work();
  } finally {
    restoring = false;
  }
  writeState();
}
