// Drives the explorer's network view in headless Chromium as an analyst would and prints
// what it saw as JSON for tests/test_explorer.py: node argv[2] = service base URL,
// argv[3] = folder for the screenshots. It searches (by name and by alias), opens MASH,
// reads a node's properties, expands along chosen relationship types, removes a node,
// hides labels and types, filters by properties, switches layouts, styles by a property,
// draws the shortest paths between two nodes, and reopens the view from its URL.
import { nodesDrawn, typeSearch, withPage } from "./browser.mjs";

const [base, shots] = process.argv.slice(2);
const shot = (name) => `${shots}/${name}`;
const positions = (page) => page.evaluate(() => Object.fromEntries(window.explorer.cy.nodes().map((n) => [n.id(), n.position()])));

await withPage(base, shot("explorer-failure.png"), async (page, seen) => {
  const response = await page.goto(`${base}/explore`);
  seen.status = response.status();
  seen.title = await page.title();
  await page.waitForSelector("body[data-ready]");

  // Search: by name, by alias, across the four labels.
  seen.search = {};
  for (const text of ["family", "PCIT", "maltreat", "police", "Sure Start"]) {
    seen.search[text] = await typeSearch(page, "#search", "#search-results", text);
  }
  seen.search.MASH = await typeSearch(page, "#search", "#search-results", "MASH");
  seen.searchExpanded = await page.getAttribute("#search", "aria-expanded");
  await page.keyboard.press("Enter");
  await page.waitForSelector('body[data-drawn="Intervention:mash"]');
  seen.drawn = await nodesDrawn(page);
  seen.drawnEdges = await page.evaluate(() => window.explorer.cy.edges().length);
  seen.url = page.url();
  seen.downloads = await page.$$eval("#downloads a", (links) => links.map((a) => a.getAttribute("href")));

  const box = await page.locator("#graph").boundingBox();
  const clickNode = async (key) => {
    const at = await page.evaluate((k) => window.explorer.cy.getElementById(k).renderedPosition(), key);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForFunction((k) => document.querySelector("#details .label")?.textContent.endsWith(k), key);
  };
  await clickNode("Agency:agency-police");
  seen.details = {
    heading: await page.textContent("#details h2"),
    label: await page.textContent("#details .label"),
    properties: await page.$$eval("#properties tr", (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]))),
    actions: await page.$$eval("#details .actions button", (buttons) => buttons.map((b) => b.id)),
  };

  // Expand along EVALUATES only: untick every other type first.
  await page.click("details:has(#expand-types) > summary");
  for (const box of await page.$$('#expand-types input:not([value="EVALUATES"])')) await box.uncheck();
  await clickNode("Study:study-eif-2017-child-protection");
  seen.expandButton = await page.textContent("#expand");
  const before = await positions(page);
  await page.click("#expand");
  await page.waitForFunction((n) => window.explorer.cy.nodes().length > n, Object.keys(before).length);
  const after = await positions(page);
  seen.expand = { before, after, newNodes: await page.evaluate((old) => window.explorer.cy.nodes().filter((n) => !old.includes(n.id())).map((n) => n.id()), Object.keys(before)) };
  seen.urlAfterExpand = page.url();
  await page.click("details:has(#expand-types) > summary");

  // Remove a council from the drawing.
  await clickNode("Agency:agency-herefordshire");
  await page.click("#remove-node");
  seen.afterRemove = (await nodesDrawn(page)).map((n) => n.key);

  // Add PCIT's neighbourhood beside MASH (search by alias, "add to what is drawn").
  await page.check("#search-add");
  await typeSearch(page, "#search", "#search-results", "PCIT");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => window.explorer.cy.getElementById("Study:study-chaffin-2004").nonempty());
  await page.uncheck("#search-add");
  seen.withPcit = (await nodesDrawn(page)).map((n) => n.key);

  // Show / hide labels and relationship types.
  await page.click("details:has(#show-labels) > summary");
  const hiddenKeys = async () => (await nodesDrawn(page)).filter((n) => n.hidden).map((n) => n.key);
  const hiddenEdgeTypes = () => page.evaluate(() => [...new Set(window.explorer.cy.edges(".hidden").map((e) => e.data("type")))]);
  await page.uncheck('#show-labels input[value="Agency"]');
  seen.hideAgencies = await hiddenKeys();
  await page.check('#show-labels input[value="Agency"]');
  await page.uncheck('#show-types input[value="DELIVERS"]');
  seen.hideDelivers = { types: await hiddenEdgeTypes(), nodes: await hiddenKeys() };
  seen.urlHidden = page.url();
  await page.check('#show-types input[value="DELIVERS"]');
  await page.click("details:has(#show-labels) > summary");

  // Property filters: study year, design, agency sector, intervention evidence level.
  await page.click("details:has(#filter-designs) > summary");
  await page.fill("#year-from", "2010");
  await page.press("#year-from", "Tab");
  seen.filterYear = await hiddenKeys();
  await page.fill("#year-from", "");
  await page.press("#year-from", "Tab");
  await page.check('#filter-designs input[value="RCT"]');
  seen.filterDesign = await hiddenKeys();
  await page.uncheck('#filter-designs input[value="RCT"]');
  await page.check('#filter-sectors input[value="POLICE"]');
  seen.filterSector = await hiddenKeys();
  seen.filterSummary = await page.textContent("#filter-summary");
  await page.uncheck('#filter-sectors input[value="POLICE"]');
  await page.selectOption("#min-evidence", "3");
  seen.filterEvidence = await hiddenKeys();
  seen.evidenceLevels = await page.evaluate(() => Object.fromEntries(window.explorer.cy.nodes('[label = "Intervention"]').map((n) => [n.id(), n.data("evidenceLevel")])));
  await page.selectOption("#min-evidence", "");
  seen.afterFilters = await hiddenKeys();
  await page.click("details:has(#filter-designs) > summary");

  // Layouts.
  seen.layouts = {};
  for (const layout of ["concentric", "grid", "breadthfirst", "cose"]) {
    await page.selectOption("#layout", layout);
    await page.waitForFunction((l) => new URL(location.href).searchParams.get("layout") === (l === "cose" ? null : l), layout);
    seen.layouts[layout] = await positions(page);
    if (layout === "grid") await page.screenshot({ path: shot("explorer-grid.png") });
  }

  // Style: colour by sector, size by evidence level; the legend states the rule.
  await page.selectOption("#colour-by", "sector");
  await page.selectOption("#size-by", "evidenceLevel");
  seen.style = {
    legendColour: await page.textContent("#legend-colour"),
    legendSize: await page.textContent("#legend-size"),
    swatches: await page.$$eval("#legend .swatches li", (items) => items.map((li) => [li.textContent, li.dataset.colour])),
    nodes: await page.evaluate(() => Object.fromEntries(window.explorer.cy.nodes().map((n) => [n.id(), { colour: n.style("background-color"), size: n.width(), sector: n.data("properties").sector ?? null, level: n.data("evidenceLevel") ?? null }]))),
  };
  // Evidence on edges: intervention to outcome, judged from findings.
  await page.check("#evidence-edges");
  await page.waitForSelector("body[data-evidence-edges]");
  seen.evidenceEdges = await page.evaluate(() => window.explorer.cy.edges(".evidence").map((e) => ({ source: e.data("source"), target: e.data("target"), caption: e.data("caption"), colour: e.data("colour"), width: e.data("width"), mixed: e.data("mixed") })));
  seen.findingEdges = await page.evaluate(() => window.explorer.cy.edges(".finding-direction").map((e) => ({ id: e.id(), colour: e.data("colour") })));
  seen.evidenceLegend = await page.textContent("#legend-evidence .rule");
  await page.screenshot({ path: shot("explorer-style.png") });

  // Paths: from the police to PCIT's trial. Drawn on the grid, where no node covers another:
  // the force-directed layout may leave the trial under its neighbours, and a click at its
  // position would then pick one of them.
  await page.selectOption("#layout", "grid");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("layout") === "grid");
  await clickNode("Agency:agency-police");
  await page.click("#path-from-here");
  await clickNode("Study:study-chaffin-2004");
  await page.click("#path-to-here");
  seen.pathEnds = [await page.textContent("#path-from"), await page.textContent("#path-to")];
  await page.click("#find-paths");
  await page.waitForSelector("body[data-paths]");
  seen.paths = {
    listed: await page.$$eval("#path-list li", (items) => items.map((li) => li.textContent)),
    marked: await page.evaluate(() => window.explorer.cy.elements(".path").map((e) => e.id())),
  };
  await page.screenshot({ path: shot("explorer.png") });

  // The URL holds the view: a new page opened on it shows the same.
  seen.sharedUrl = page.url();
  const state = async (p) => ({
    drawn: (await nodesDrawn(p)).map((n) => n.key).sort(),
    layout: await p.inputValue("#layout"),
    colourBy: await p.inputValue("#colour-by"),
    sizeBy: await p.inputValue("#size-by"),
    search: await p.inputValue("#search"),
    selected: await p.textContent("#details .label").catch(() => null),
    paths: await p.$$eval("#path-list li", (items) => items.map((li) => li.textContent)),
    expandTypes: await p.$$eval("#expand-types input:checked", (boxes) => boxes.map((b) => b.value)),
    evidenceEdges: await p.evaluate(() => window.explorer.cy.edges(".evidence").map((e) => e.id()).sort()),
  });
  seen.stateBefore = await state(page);
  const reopened = await page.context().newPage();
  reopened.on("pageerror", (error) => seen.consoleErrors.push(String(error)));
  await reopened.goto(seen.sharedUrl);
  await reopened.waitForSelector("body[data-ready]");
  await reopened.waitForSelector("body[data-paths]");
  seen.stateReopened = await state(reopened);
  await reopened.screenshot({ path: shot("explorer-reopened.png") });
});
