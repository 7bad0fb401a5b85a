// The explorer page: wires the parts together and restores a shared link. Search opens
// a node; the scene draws its neighbourhood; filters, style and paths act on what is
// drawn; the gap map and compare views are tabs beside it. Every part keeps its state
// in one object that url-state.js writes to the URL and reads back.
import { setStatus } from "./api.js";
import { addKey, buildCompare, compare, drawComparison, onCompareChange } from "./compare.js";
import { addNodeAction, buildDetails, buildGraphKeyboard, onSelect, select } from "./details.js";
import { buildEvidenceEdges, onEvidenceChange } from "./evidence-edges.js";
import { buildEvidenceFacts } from "./evidence-facts.js";
import { buildFilterControls, onFiltersChange } from "./filters.js";
import { buildGapMap, loadGapMap, onGapMapChange } from "./gap-map.js";
import { buildGapMapExport } from "./gap-map-export.js";
import { buildPaths, findPaths, onPathsChange, paths } from "./paths.js";
import { buildRecommendView } from "./recommend-view.js";
import { addGraph, cy, expand, LAYOUTS, onChange, open, refresh, relayout, restore, scene, setLayout } from "./scene.js";
import { searchBox } from "./search.js";
import { buildStyleControls, onStyleChange } from "./style.js";
import { readState, searchText, whileRestoring, writeState } from "./url-state.js";
import { buildViews, onViewChange, showView, views } from "./views.js";

const downloads = document.getElementById("downloads");

// The download links ask /exports for the neighbourhoods of the opened and expanded nodes.
function updateDownloads() {
  const query = new URLSearchParams(scene.seeds.map((seed) => ["ids", seed.key]));
  query.set("depth", "1");
  for (const link of downloads.querySelectorAll("a")) link.href = `/v1/exports/${link.dataset.format}?${query}`;
  downloads.hidden = scene.seeds.length === 0;
}

function buildLayoutControl() {
  const select = document.getElementById("layout");
  for (const [value, text] of Object.entries(LAYOUTS)) select.append(new Option(text, value));
  select.value = scene.layout;
  select.addEventListener("change", () => setLayout(select.value));
  document.getElementById("relayout").addEventListener("click", () => setLayout(scene.layout));
}

function buildSearch() {
  const input = document.getElementById("search");
  input.value = searchText.value;
  searchBox({
    input,
    list: document.getElementById("search-results"),
    onChoose: (result) => {
      input.value = result.name;
      searchText.value = result.name;
      open(result.key, { add: document.getElementById("search-add").checked });
    },
  });
}

let gapMapLoaded = false;
function onView(name) {
  if (name === "gap-map" && !gapMapLoaded) {
    gapMapLoaded = true;
    loadGapMap();
  }
  if (name === "network") cy.resize();
  writeState();
}

async function start() {
  if (typeof cytoscape === "undefined") {
    setStatus("Cytoscape.js is missing: run `make vendor` (or `make serve`) to install it.", true);
    return;
  }
  const link = readState();
  buildViews();
  buildSearch();
  buildLayoutControl();
  buildStyleControls();
  buildEvidenceEdges();
  buildFilterControls();
  buildDetails();
  buildEvidenceFacts();
  buildGraphKeyboard();
  buildPaths();
  buildGapMap();
  buildGapMapExport();
  buildCompare();
  buildRecommendView().catch((error) => setStatus(`Could not load the outcomes: ${error.message}`, true));
  addNodeAction(["add-to-compare", "Add to comparison", (n) => ["Intervention", "Agency"].includes(n.data("label")), (n) => addKey(n.id())]);

  onChange(async (what) => {
    if (what === "drawn" || what === "layout") {
      updateDownloads();
      writeState();
    }
  });
  for (const subscribe of [onEvidenceChange, onFiltersChange, onStyleChange, onSelect, onPathsChange, onGapMapChange, onCompareChange]) subscribe(writeState);
  onViewChange(onView);

  await whileRestoring(async () => {
    showView(views.current);
    if (link.seeds.length) await restore(link);
    if (link.selected) select(link.selected);
    if (link.showPaths && paths.from && paths.to) await findPaths();
    if (compare.keys.length) await drawComparison();
  });
  document.body.dataset.ready = "true";
  if (!link.seeds.length && views.current === "network") setStatus("Ready");
}

// For scripts and the browser tests: the drawing itself is a canvas.
window.explorer = { cy, scene, addGraph, refresh, relayout, expand, select };
start();
