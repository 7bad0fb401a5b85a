// Drives GraphiQL and a cross-origin browser app in headless Chromium for
// tests/test_graphiql.py and prints what it saw as JSON. argv[2] = the service's base URL
// (http://127.0.0.1:PORT), argv[3] = the same service under an origin it allows
// (http://localhost:PORT), argv[4] = screenshot of GraphiQL.
import { chromium } from "playwright-core";

const [base, allowedBase, screenshot] = process.argv.slice(2);
const seen = { requests: [], failedRequests: [], consoleErrors: [] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--headless"],
});
let finished = false;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("request", (request) => seen.requests.push(request.url()));
  page.on("requestfailed", (request) => seen.failedRequests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => seen.consoleErrors.push(String(error)));

  const response = await page.goto(`${base}/graphql`);
  seen.status = response.status();
  seen.title = await page.title();
  await page.waitForSelector(".graphiql-query-editor .CodeMirror");

  // Run the example query the page opens with, as a user would: the run button.
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(() => document.querySelector(".result-window")?.textContent.includes("Multi-Agency"));
  seen.result = await page.evaluate(() => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue());

  // The documentation explorer: open it, then the Query type and one of its fields.
  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector(".graphiql-doc-explorer");
  seen.docsTitle = await page.textContent(".graphiql-doc-explorer-title");
  await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")');
  await page.waitForFunction(() => document.querySelector(".graphiql-doc-explorer-title")?.textContent === "Query");
  seen.queryFields = await page.$$eval(".graphiql-doc-explorer .graphiql-doc-explorer-field-name", (links) => links.map((a) => a.textContent));
  await page.screenshot({ path: screenshot });
  seen.graphiqlRequests = [...seen.requests];

  // A browser app on another origin: the service allows allowedBase's origin only.
  const app = await browser.newPage();
  app.on("pageerror", (error) => seen.consoleErrors.push(String(error)));
  const crossOrigin = async (pageUrl, target) => {
    await app.goto(pageUrl);
    return app.evaluate(async (url) => {
      try {
        const answer = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
          body: JSON.stringify({ query: '{ intervention(id: "mash") { name } }' }),
        });
        return { status: answer.status, body: await answer.json(), rateLimit: answer.headers.get("RateLimit") };
      } catch (error) {
        return { refused: String(error) };
      }
    }, target);
  };
  seen.allowed = await crossOrigin(`${allowedBase}/healthz`, `${base}/graphql`);
  seen.refused = await crossOrigin(`${base}/healthz`, `${allowedBase}/graphql`);
  finished = true;
} finally {
  if (!finished) {
    await Promise.all(browser.contexts().flatMap((c) => c.pages()).map((p) => p.screenshot({ path: screenshot })));
  }
  await browser.close();
}
console.log(JSON.stringify(seen));
