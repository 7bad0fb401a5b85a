// Drives the explorer in headless Chromium for tests/test_explorer.py and prints what it
// saw as JSON: node argv[2] = service base URL, argv[3] = screenshot of the network view,
// argv[4] = screenshot of the evidence gap map view.
import { chromium } from "playwright-core";

const [base, screenshot, gapMapScreenshot] = process.argv.slice(2);
const origin = new URL(base).origin;
const seen = { offsiteRequests: [], consoleErrors: [], failedRequests: [] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--headless"],
});
// Where the picture goes if a step fails: the view being checked at the time.
let failureShot = screenshot;
let finished = false;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) seen.offsiteRequests.push(url);
  });
  page.on("requestfailed", (request) => seen.failedRequests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => seen.consoleErrors.push(String(error)));

  const response = await page.goto(`${base}/explore`);
  seen.status = response.status();
  seen.title = await page.title();
  await page.waitForSelector('#focus option[value="Intervention:mash"]', { state: "attached" });
  seen.pickerOptions = await page.$$eval("#focus option", (options) => options.map((o) => o.value).filter(Boolean));

  await page.selectOption("#focus", "Intervention:mash");
  await page.waitForSelector('body[data-drawn="Intervention:mash"]');
  seen.drawn = await page.evaluate(() =>
    window.explorer.cy.nodes().map((n) => ({ key: n.id(), label: n.data("label"), name: n.data("name") })),
  );
  seen.drawnEdges = await page.evaluate(() => window.explorer.cy.edges().length);
  seen.url = page.url();
  seen.downloads = await page.$$eval("#downloads a", (links) => links.map((a) => a.getAttribute("href")));

  // Click where a node is drawn, as a user would.
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
    properties: await page.$$eval("#properties tr", (rows) =>
      Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])),
    ),
  };

  // The review evaluated other interventions too: expanding it brings them in.
  await clickNode("Study:study-eif-2017-child-protection");
  const before = seen.drawn.length;
  await page.click("#expand");
  await page.waitForFunction((n) => window.explorer.cy.nodes().length > n, before);
  seen.afterExpand = await page.evaluate(() => window.explorer.cy.nodes().map((n) => n.id()));
  seen.status_line = await page.textContent("#status");
  seen.downloadsAfterExpand = await page.getAttribute('#downloads a[data-format="graphml"]', "href");
  await page.screenshot({ path: screenshot, fullPage: true });

  // The second view: the evidence gap map, drawn from the same API.
  failureShot = gapMapScreenshot;
  await page.click("#tab-gap-map");
  await page.waitForSelector('body[data-gap-map="drawn"]');
  seen.gapMap = {
    url: page.url(),
    networkHidden: await page.evaluate(() => document.getElementById("network-view").hidden),
    domains: await page.$$eval("#gap-map thead th.domain", (cells) => cells.map((th) => [th.textContent, th.colSpan])),
    outcomes: await page.$$eval("#gap-map thead th[data-outcome]", (cells) => cells.map((th) => th.dataset.outcome)),
    interventions: await page.$$eval("#gap-map tbody th[data-intervention]", (cells) => cells.map((th) => th.dataset.intervention)),
    cells: await page.$$eval("#gap-map .cell", (cells) =>
      cells.map((b) => ({ intervention: b.dataset.intervention, outcome: b.dataset.outcome, status: b.dataset.status, kind: b.dataset.kind, text: b.textContent, title: b.title })),
    ),
    legend: await page.$$eval("#gap-legend li", (items) => items.map((li) => [li.querySelector(".cell").dataset.kind, li.textContent])),
  };
  const clickCell = async (intervention, outcome) => {
    await page.click(`#gap-map .cell[data-intervention="${intervention}"][data-outcome="${outcome}"]`);
    await page.waitForSelector(`#gap-details[data-intervention="${intervention}"][data-outcome="${outcome}"]`);
    return {
      heading: await page.textContent("#gap-details h2"),
      label: await page.textContent("#gap-details .label"),
      status: await page.getAttribute("#gap-details", "data-status"),
      facts: await page.$$eval("#cell-facts tr", (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]))),
      reasons: await page.$$eval("#cell-reasons li", (items) => items.map((li) => li.textContent)),
      pressed: await page.$$eval('#gap-map .cell[aria-pressed="true"]', (cells) => cells.map((b) => `${b.dataset.intervention}|${b.dataset.outcome}`)),
    };
  };
  seen.gapMap.evidenceCell = await clickCell("pcit", "outcome-child-maltreatment");
  seen.gapMap.gapCell = await clickCell("mash", "outcome-child-maltreatment");
  await page.screenshot({ path: gapMapScreenshot, fullPage: true });

  // Back to the network: the drawing is still there, at its size.
  failureShot = screenshot;
  await page.click("#tab-network");
  await page.waitForFunction(() => window.explorer.cy.width() > 0 && !document.getElementById("network-view").hidden);
  seen.backToNetwork = {
    url: page.url(),
    nodes: await page.evaluate(() => window.explorer.cy.nodes().length),
    gapMapHidden: await page.evaluate(() => document.getElementById("gap-map-view").hidden),
  };
  finished = true;
} finally {
  // Kept when a step fails: the picture usually says why.
  if (!finished) {
    await Promise.all(browser.contexts().flatMap((c) => c.pages()).map((p) => p.screenshot({ path: failureShot, fullPage: true })));
  }
  await browser.close();
}
console.log(JSON.stringify(seen));
