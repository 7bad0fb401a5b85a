// Drives the explorer's evidence gap map and compare views in headless Chromium and
// prints what it saw as JSON for tests/test_explorer_views.py: node argv[2] = service
// base URL, argv[3] = folder for screenshots and exported files.
import { readFile } from "node:fs/promises";
import { typeSearch, withPage } from "./browser.mjs";

const [base, out] = process.argv.slice(2);
const file = (name) => `${out}/${name}`;

const drawnMap = (page) => page.evaluate(() => ({
  domains: [...document.querySelectorAll("#gap-map thead th.domain")].map((th) => [th.textContent, th.colSpan]),
  outcomes: [...document.querySelectorAll("#gap-map thead th[data-outcome]")].map((th) => th.dataset.outcome),
  interventions: [...document.querySelectorAll("#gap-map tbody th[data-intervention]")].map((th) => th.dataset.intervention),
  cells: [...document.querySelectorAll("#gap-map .cell")].map((b) => ({ intervention: b.dataset.intervention, outcome: b.dataset.outcome, status: b.dataset.status, kind: b.dataset.kind, text: b.textContent, title: b.title })),
}));

async function redrawn(page, action) {
  await page.evaluate(() => { document.body.dataset.gapMap = "stale"; });
  await action();
  await page.waitForSelector('body[data-gap-map="drawn"]');
}

await withPage(base, file("explorer-gap-map-failure.png"), async (page, seen) => {
  await page.goto(`${base}/explore`);
  await page.waitForSelector("body[data-ready]");
  await page.click("#tab-gap-map");
  await page.waitForSelector('body[data-gap-map="drawn"]');
  seen.url = page.url();
  seen.networkHidden = await page.evaluate(() => document.getElementById("network-view").hidden);
  seen.all = await drawnMap(page);
  seen.legend = await page.$$eval("#gap-legend li", (items) => items.map((li) => [li.querySelector(".cell").dataset.kind, li.textContent]));

  // The last column is inside the scroll box once scrolled to the end, and the headers
  // stay in view while the table scrolls.
  const geometry = () => page.evaluate(() => {
    const box = document.getElementById("gap-map").getBoundingClientRect();
    const heads = [...document.querySelectorAll("#gap-map thead th[data-outcome]")];
    const last = heads[heads.length - 1].getBoundingClientRect();
    const firstOutcome = heads[0].getBoundingClientRect();
    const rowHead = document.querySelector("#gap-map tbody tr:last-child th").getBoundingClientRect();
    const lastCell = [...document.querySelectorAll("#gap-map tbody tr:last-child .cell")].pop().getBoundingClientRect();
    return { box: [box.left, box.top, box.right, box.bottom], lastHead: [last.left, last.right], lastCell: [lastCell.left, lastCell.right, lastCell.bottom], headTop: firstOutcome.top, rowHeadLeft: rowHead.left };
  });
  seen.geometryBefore = await geometry();
  await page.setViewportSize({ width: 900, height: 600 });
  await page.evaluate(() => { const m = document.getElementById("gap-map"); m.scrollLeft = m.scrollWidth; m.scrollTop = m.scrollHeight; });
  seen.geometryScrolled = await geometry();
  await page.screenshot({ path: file("explorer-gap-map-scrolled.png") });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.evaluate(() => { const m = document.getElementById("gap-map"); m.scrollLeft = 0; m.scrollTop = 0; });

  // The API's filters in the page: outcome domain, intervention kind, level of need.
  await redrawn(page, () => page.check('#gap-domains input[value="CHILD_SAFETY"]'));
  seen.childSafety = await drawnMap(page);
  await redrawn(page, () => page.check('#gap-kinds input[value="PROGRAMME"]'));
  seen.childSafetyProgrammes = await drawnMap(page);
  seen.filteredUrl = page.url();
  await redrawn(page, () => page.uncheck('#gap-kinds input[value="PROGRAMME"]'));
  await redrawn(page, () => page.check('#gap-needs input[value="SPECIALIST"]'));
  seen.childSafetySpecialist = await drawnMap(page);
  await redrawn(page, () => page.uncheck('#gap-needs input[value="SPECIALIST"]'));

  // A cell opens its judgement: deciding trials and findings, their studies, caveats.
  const openCell = async (intervention, outcome) => {
    await page.click(`#gap-map .cell[data-intervention="${intervention}"][data-outcome="${outcome}"]`);
    await page.waitForSelector(`#gap-details[data-intervention="${intervention}"][data-outcome="${outcome}"][data-judgement="shown"], #gap-details[data-intervention="${intervention}"][data-outcome="${outcome}"] #judgement-none`);
    return page.evaluate(() => ({
      heading: document.querySelector("#gap-details h2").textContent,
      facts: Object.fromEntries([...document.querySelectorAll("#cell-facts tr")].map((r) => [r.cells[0].textContent, r.cells[1].textContent])),
      judgement: Object.fromEntries([...document.querySelectorAll("#judgement tr")].map((r) => [r.cells[0].textContent, r.cells[1].textContent])),
      reasons: [...document.querySelectorAll("#cell-reasons li")].map((li) => li.textContent),
      findings: [...document.querySelectorAll("#deciding-findings li")].map((li) => ({ id: li.dataset.finding, study: li.dataset.study, text: li.textContent })),
      trials: [...document.querySelectorAll("#deciding-trials li")].map((li) => li.dataset.trial),
      caveats: [...document.querySelectorAll("#caveats li")].map((li) => ({ code: li.dataset.code ?? null, text: li.textContent })),
      none: document.getElementById("judgement-none")?.textContent ?? null,
    }));
  };
  seen.evidenceCell = await openCell("pcit", "outcome-child-maltreatment");
  seen.cellUrl = page.url();
  seen.gapCell = await openCell("mash", "outcome-child-maltreatment");
  await openCell("pcit", "outcome-child-maltreatment");
  await page.screenshot({ path: file("explorer-gap-map.png") });

  // Export what is shown (the child-safety columns) as CSV and PNG.
  const save = async (button, name) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    await download.saveAs(file(name));
    return download.suggestedFilename();
  };
  seen.csvName = await save("#gap-export-csv", "evidence-gap-map.csv");
  seen.csv = await readFile(file("evidence-gap-map.csv"), "utf8");
  seen.pngName = await save("#gap-export-png", "evidence-gap-map.png");
  seen.shownMap = await drawnMap(page);

  // The link reopens the same filters and cell.
  const reopened = await page.context().newPage();
  await reopened.goto(seen.cellUrl);
  await reopened.waitForSelector('body[data-gap-map="drawn"]');
  await reopened.waitForSelector('#gap-details[data-judgement="shown"]');
  seen.reopened = {
    map: await drawnMap(reopened),
    ticked: await reopened.$$eval("#gap-filters input:checked", (boxes) => boxes.map((b) => b.value)),
    heading: await reopened.textContent("#gap-details h2"),
  };
  await reopened.close();

  // Compare: two interventions and two agencies, added by searching.
  await page.click("#tab-compare");
  for (const text of ["PCIT", "Incredible Years Pre", "Multi-Agency"]) {
    const options = await typeSearch(page, "#compare-search", "#compare-results", text);
    seen.compareOptions ??= {};
    seen.compareOptions[text] = options;
    await page.keyboard.press("Enter");
    await page.waitForSelector(`body[data-compared~="${options[0].key}"]`);
  }
  seen.compareInterventions = await page.$eval("#compare-interventions", (table) => ({
    columns: [...table.tHead.rows[0].cells].slice(1).map((th) => th.dataset.key),
    rows: [...table.tBodies].flatMap((body) => [...body.rows].filter((r) => r.cells.length > 1).map((r) => [r.cells[0].textContent, ...[...r.cells].slice(1).map((c) => c.textContent)])),
    sections: [...table.querySelectorAll("th.section")].map((th) => th.textContent),
  }));
  for (const text of ["Local police", "Devon"]) {
    await typeSearch(page, "#compare-search", "#compare-results", text);
    await page.keyboard.press("Enter");
  }
  await page.waitForSelector('body[data-compared~="Agency:agency-devon-county-council"]');
  seen.compareAgencies = await page.$eval("#compare-agencies", (table) => ({
    columns: [...table.tHead.rows[0].cells].slice(1).map((th) => th.dataset.key),
    rows: [...table.tBodies].flatMap((body) => [...body.rows].filter((r) => r.cells.length > 1).map((r) => [r.cells[0].textContent, ...[...r.cells].slice(1).map((c) => c.textContent)])),
  }));
  seen.compareUrl = page.url();
  await page.screenshot({ path: file("explorer-compare.png"), fullPage: true });
  // Remove MASH from the comparison with its button.
  await page.click('#compare-interventions th[data-key="Intervention:mash"] button');
  await page.waitForFunction(() => document.body.dataset.compared !== "loading" && !document.querySelector('#compare-interventions th[data-key="Intervention:mash"]'));
  seen.afterDrop = await page.$$eval("#compare-interventions thead th[data-key]", (ths) => ths.map((th) => th.dataset.key));
});
