// Drives the explorer's side panel in headless Chromium and prints what it saw as JSON for
// tests/test_explorer_evidence.py: node argv[2] = service base URL, argv[3] = folder for
// the screenshots. It opens a programme from the search box, reads the evidence under its
// properties (sources, caveats), draws its ratings (if opening it did not) and reads one
// rating's date, common level and caveats; then asks "what works here" for argv[6] (an
// outcome id) for children aged 3 to 6 in a rural area and reads the ranked answer.
import { createRequire } from "node:module";
import { typeSearch, withPage } from "./browser.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const [base, shots] = process.argv.slice(2);
const programme = process.argv[4];
const rating = process.argv[5];
const outcome = process.argv[6];

const evidenceOf = async (page, key) => {
  await page.evaluate((k) => window.explorer.select(k), key);
  await page.waitForSelector(`#details[data-sections="${key}"]`);
  return page.$$eval("#evidence-facts tr", (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent])));
};

await withPage(base, `${shots}/explorer-evidence-failure.png`, async (page, seen) => {
  await page.goto(`${base}/explore`);
  await page.waitForSelector("body[data-ready]");
  seen.search = await typeSearch(page, "#search", "#search-results", programme);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`body[data-drawn="Intervention:${programme}"]`);
  seen.programme = await evidenceOf(page, `Intervention:${programme}`);
  seen.added = await page.evaluate((k) => window.explorer.expand(k, ["RATES"]), `Intervention:${programme}`);
  seen.rating = await evidenceOf(page, `Rating:${rating}`);
  await page.screenshot({ path: `${shots}/explorer-evidence.png` });

  await page.click("#tab-recommend");
  await page.waitForSelector("#recommend-form[data-loaded]");
  await page.selectOption("#recommend-outcome", outcome);
  await page.fill("#recommend-min-age", "3");
  await page.fill("#recommend-max-age", "6");
  await page.selectOption("#recommend-area", "RURAL");
  await page.click("#recommend-form button[type=submit]");
  await page.waitForSelector("#recommend-form[data-ranked]");
  seen.asked = JSON.parse(await page.getAttribute("#recommend-form", "data-ranked"));
  seen.ranked = await page.$$eval("#recommendations > li", (items) => items.map((li) => ({
    heading: li.querySelector("h3").textContent,
    facts: Object.fromEntries([...li.querySelectorAll("table.facts tr")].map((r) => [r.cells[0].textContent, r.cells[1].textContent])),
    parts: [...li.querySelectorAll("table.score-parts tbody tr")].map((r) => [r.cells[0].textContent, Number(r.cells[1].textContent)]),
    notes: [...li.querySelectorAll("ul.notes li")].map((n) => n.textContent),
  })));
  seen.excluded = await page.$$eval("#excluded li", (items) => items.map((li) => li.textContent));
  await page.screenshot({ path: `${shots}/explorer-recommend.png`, fullPage: true });
  await page.addScriptTag({ path: AXE });
  seen.axeRecommend = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help })));
});
