// Accessibility and speed of the explorer in headless Chromium, printed as JSON for
// tests/test_explorer_views.py: node argv[2] = service base URL, argv[3] = folder for
// screenshots. axe-core (npm, web/package.json) runs in every view; the keyboard alone
// searches, opens, steps through and expands nodes, switches views and opens a gap-map
// cell; the frame time of the network view is measured with 2,000 nodes drawn.
import { createRequire } from "node:module";
import { typeSearch, withPage } from "./browser.mjs";

const [base, out] = process.argv.slice(2);
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

async function tabTo(page, id, limit = 80) {
  for (let i = 0; i < limit; i += 1) {
    if ((await activeId(page)) === id) return i;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached #${id}`);
}

await withPage(base, `${out}/explorer-a11y-failure.png`, async (page, seen) => {
  await page.goto(`${base}/explore`);
  await page.waitForSelector("body[data-ready]");

  // Keyboard only: search, choose, step through nodes, expand, remove.
  seen.keyboard = {};
  seen.keyboard.tabsToSearch = await tabTo(page, "search");
  await typeSearch(page, "#search", "#search-results", "MASH");
  await page.keyboard.press("Enter");
  await page.waitForSelector('body[data-drawn="Intervention:mash"]');
  seen.keyboard.tabsToGraph = await tabTo(page, "graph");
  await page.keyboard.press("ArrowRight");
  seen.keyboard.first = await page.textContent("#details .label");
  await page.keyboard.press("ArrowRight");
  seen.keyboard.second = await page.textContent("#details .label");
  const nodes = () => page.evaluate(() => window.explorer.cy.nodes().length);
  seen.keyboard.before = await nodes();
  // Step to the EIF review, which has neighbours not drawn yet, and expand it.
  for (let i = 0; i < 40 && !(await page.textContent("#details .label")).endsWith("Study:study-eif-2017-child-protection"); i += 1) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => window.explorer.cy.nodes().length > n, seen.keyboard.before);
  seen.keyboard.afterEnter = await nodes();
  await page.keyboard.press("Delete");
  await page.waitForFunction((n) => window.explorer.cy.nodes().length < n, seen.keyboard.afterEnter);
  seen.keyboard.afterDelete = await nodes();
  seen.axeNetwork = await axe(page);
  await page.screenshot({ path: `${out}/explorer-keyboard.png` });

  // Tabs with arrow keys; a gap-map cell with Enter.
  await page.focus("#tab-network");
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector('body[data-gap-map="drawn"]');
  seen.keyboard.viewAfterArrow = await page.getAttribute("body", "data-view");
  seen.keyboard.focusedTab = await activeId(page);
  await page.focus('#gap-map .cell[data-intervention="pcit"][data-outcome="outcome-child-maltreatment"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector('#gap-details[data-judgement="shown"]');
  seen.keyboard.cellHeading = await page.textContent("#gap-details h2");
  seen.axeGapMap = await axe(page);

  await page.click("#tab-compare");
  await typeSearch(page, "#compare-search", "#compare-results", "PCIT");
  await page.keyboard.press("Enter");
  await typeSearch(page, "#compare-search", "#compare-results", "Signs");
  await page.keyboard.press("Enter");
  await page.waitForSelector('body[data-compared~="Intervention:signs-of-safety"]');
  seen.axeCompare = await axe(page);

  // Frame time with 2,000 nodes: a generated graph in the API's shape (the example data
  // has far fewer), drawn with captions and the style rules, then panned and zoomed.
  await page.click("#tab-network");
  seen.perf = await page.evaluate(async () => {
    const { cy, addGraph, refresh } = window.explorer;
    const labels = ["Intervention", "Agency", "Study", "Finding", "Outcome", "Rating"];
    const nodes = Array.from({ length: 2000 }, (_, i) => ({
      key: `${labels[i % 6]}:perf-${i}`, id: `perf-${i}`, label: labels[i % 6], name: `Node ${i}`,
      properties: { id: `perf-${i}`, year: 1990 + (i % 35), sector: i % 2 ? "POLICE" : "HEALTH" },
    }));
    const edges = [];
    for (let i = 1; i < 2000; i += 1) {
      edges.push({ type: "PARTICIPATES_IN", source: nodes[i].key, target: nodes[Math.floor(i / 3)].key, properties: {} });
      if (i % 2 === 0) edges.push({ type: "EVALUATES", source: nodes[i].key, target: nodes[(i * 7) % 2000].key, properties: {} });
    }
    cy.elements().remove();
    let started = performance.now();
    addGraph({ nodes, edges });
    await refresh("added");
    const addMs = performance.now() - started;
    started = performance.now();
    cy.layout({ name: "grid", animate: false }).run();
    cy.fit();
    const gridMs = performance.now() - started;
    return { nodes: cy.nodes().length, edges: cy.edges().length, addAndStyleMs: Math.round(addMs), gridLayoutMs: Math.round(gridMs) };
  });
  Object.assign(seen.perf, await page.evaluate(async () => {
    const { cy } = window.explorer;
    // The first frames after the layout draw every element once; timed on their own.
    const started = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const firstDrawMs = performance.now() - started;
    const frames = [];
    await new Promise((resolve) => {
      let last = performance.now();
      let count = 0;
      const step = (now) => {
        frames.push(now - last);
        last = now;
        count += 1;
        cy.panBy({ x: count % 40 < 20 ? 6 : -6, y: 0 });
        cy.zoom({ level: cy.zoom() * (count % 60 < 30 ? 1.01 : 0.99), renderedPosition: { x: 300, y: 300 } });
        if (count < 180) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    frames.shift();
    const sorted = [...frames].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const round = (ms) => Math.round(ms * 10) / 10;
    return { firstDrawMs: Math.round(firstDrawMs), frames: frames.length, medianFrameMs: round(at(0.5)), p95FrameMs: round(at(0.95)), maxFrameMs: round(sorted[sorted.length - 1]) };
  }));
  await page.screenshot({ path: `${out}/explorer-2000-nodes.png` });
});
