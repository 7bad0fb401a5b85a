// What the explorer's browser checks share: headless Chromium with a page that records
// requests to other hosts, failed requests and console errors, and a screenshot of
// every open page when a check fails (the picture usually says why).
import { chromium } from "playwright-core";

export async function withPage(base, failureShot, check) {
  const origin = new URL(base).origin;
  const seen = { offsiteRequests: [], consoleErrors: [], failedRequests: [] };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--headless"],
  });
  let finished = false;
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) seen.offsiteRequests.push(url);
    });
    page.on("requestfailed", (request) => {
      // A download the page starts and the browser keeps is not a failure.
      if (!request.url().startsWith("blob:")) seen.failedRequests.push(request.url());
    });
    page.on("console", (message) => {
      if (message.type() === "error") seen.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => seen.consoleErrors.push(String(error)));
    await check(page, seen);
    finished = true;
  } finally {
    if (!finished) {
      await Promise.all(browser.contexts().flatMap((c) => c.pages()).map((p) => p.screenshot({ path: failureShot, fullPage: true })));
    }
    await browser.close();
  }
  console.log(JSON.stringify(seen));
}

// Types into the search box like an analyst, waits for the answer to that text, and
// returns what the list shows.
export async function typeSearch(page, inputSelector, listSelector, text) {
  await page.fill(inputSelector, "");
  await page.locator(inputSelector).pressSequentially(text, { delay: 40 });
  await page.waitForSelector(`${listSelector}[data-searched="${text}"]:not([hidden])`);
  return page.$$eval(`${listSelector} [role=option]`, (options) =>
    options.map((o) => ({ key: o.dataset.key, text: o.textContent, selected: o.getAttribute("aria-selected") })),
  );
}

export const nodesDrawn = (page) =>
  page.evaluate(() => window.explorer.cy.nodes().map((n) => ({ key: n.id(), label: n.data("label"), name: n.data("name"), hidden: n.hasClass("hidden") })));
