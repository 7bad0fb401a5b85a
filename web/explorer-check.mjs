// Drives the explorer in headless Chromium for tests/test_explorer.py and prints what it
// saw as JSON: node argv[2] = service base URL, argv[3] = screenshot path.
import { chromium } from "playwright-core";

const [base, screenshot] = process.argv.slice(2);
const origin = new URL(base).origin;
const seen = { offsiteRequests: [], consoleErrors: [], failedRequests: [] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--headless"],
});
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
} finally {
  // Kept even when a step fails: the picture usually says why.
  await Promise.all(browser.contexts().flatMap((c) => c.pages()).map((p) => p.screenshot({ path: screenshot, fullPage: true })));
  await browser.close();
}
console.log(JSON.stringify(seen));
