// Export of the gap map as shown (filters applied): one CSV row per cell, and a PNG
// drawn from the same rows and columns on a canvas, with the legend's colours.
import { saveFile, words } from "./api.js";
import { cellKind, gapMap, GAP_LEGEND } from "./gap-map.js";

const COLUMNS = ["intervention_id", "intervention", "outcome_id", "outcome", "domain", "status", "studies", "ongoing_studies", "findings", "eif_value", "title_iv_e", "common_scale", "direction", "mixed"];

function csvValue(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function gapMapCsv() {
  const { interventions, outcomes, byKey } = gapMap.shown;
  const lines = [COLUMNS.join(",")];
  for (const intervention of interventions) {
    for (const outcome of outcomes) {
      const cell = byKey.get(`${intervention.id}|${outcome.id}`);
      if (!cell) continue;
      const best = cell.strongest;
      lines.push([
        intervention.id, intervention.name, outcome.id, outcome.name, outcome.domain, cell.status,
        cell.studyCount, cell.ongoingStudyCount, cell.findingCount,
        best?.eifValue, best?.titleIvE, best?.commonScale, best?.direction, best ? best.mixed : "",
      ].map(csvValue).join(","));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}

// The fill of each data-kind, read from the stylesheet so the PNG matches the page.
function fills() {
  const probe = document.createElement("span");
  probe.className = "cell";
  document.getElementById("gap-map").append(probe);
  const result = {};
  for (const [kind] of GAP_LEGEND) {
    probe.dataset.kind = kind;
    const css = getComputedStyle(probe);
    result[kind] = kind === "ABSOLUTE_GAP" ? "#eef1f5" : css.backgroundColor;
  }
  probe.remove();
  return result;
}

const CELL = { width: 54, height: 28, gap: 2 };
const ROW_HEADER = 260;
const COLUMN_HEADER = 150;

export function gapMapCanvas() {
  const { interventions, outcomes, byKey } = gapMap.shown;
  const colour = fills();
  const canvas = document.createElement("canvas");
  const width = ROW_HEADER + outcomes.length * (CELL.width + CELL.gap) + 20;
  const height = COLUMN_HEADER + interventions.length * (CELL.height + CELL.gap) + 20;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, width, height);
  context.font = "12px system-ui, sans-serif";
  context.fillStyle = "#1d2733";
  outcomes.forEach((outcome, column) => {
    context.save();
    context.translate(ROW_HEADER + column * (CELL.width + CELL.gap) + CELL.width / 2, COLUMN_HEADER - 6);
    context.rotate(-Math.PI / 4);
    context.fillText(`${outcome.name} (${words(outcome.domain)})`.slice(0, 40), 0, 0);
    context.restore();
  });
  interventions.forEach((intervention, row) => {
    const y = COLUMN_HEADER + row * (CELL.height + CELL.gap);
    context.fillStyle = "#1d2733";
    context.textAlign = "right";
    context.fillText(intervention.name.slice(0, 40), ROW_HEADER - 8, y + CELL.height / 2 + 4);
    context.textAlign = "center";
    outcomes.forEach((outcome, column) => {
      const cell = byKey.get(`${intervention.id}|${outcome.id}`);
      if (!cell) return;
      const x = ROW_HEADER + column * (CELL.width + CELL.gap);
      const kind = cellKind(cell);
      context.fillStyle = colour[kind];
      context.fillRect(x, y, CELL.width, CELL.height);
      context.strokeStyle = "#a9b4c2";
      context.strokeRect(x + 0.5, y + 0.5, CELL.width - 1, CELL.height - 1);
      const text = cell.strongest ? cell.strongest.eifValue : cell.status === "ONLY_ONGOING" ? "…" : "";
      context.fillStyle = kind === "4" || kind === "5" ? "#fff" : "#1d2733";
      context.fillText(text, x + CELL.width / 2, y + CELL.height / 2 + 4);
    });
  });
  return canvas;
}

export function buildGapMapExport() {
  document.getElementById("gap-export-csv").addEventListener("click", () => {
    if (gapMap.shown) saveFile("evidence-gap-map.csv", new Blob([gapMapCsv()], { type: "text/csv" }));
  });
  document.getElementById("gap-export-png").addEventListener("click", () => {
    if (!gapMap.shown) return;
    gapMapCanvas().toBlob((blob) => saveFile("evidence-gap-map.png", blob), "image/png");
  });
}
