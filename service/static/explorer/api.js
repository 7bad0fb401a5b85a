// What every part of the explorer shares: the GraphQL call, the status line, and how
// enum values read as words. Everything comes from the service's own /graphql.

const statusLine = document.getElementById("status");

export function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

export async function graphql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

// Every page of a connection; `field` names it in the answer.
export async function allPages(query, field, variables = {}) {
  const items = [];
  let after = null;
  for (;;) {
    const page = (await graphql(query, { ...variables, after }))[field];
    items.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return items;
    after = page.pageInfo.endCursor;
  }
}

// Enum values as words ("CHILD_SAFETY" as "Child safety"); acronyms stay as they are.
const ACRONYMS = new Set(["RCT", "QED", "EIF", "CEBC", "WWCSC", "TITLE_IV_E", "UK"]);
export function words(enumValue) {
  if (enumValue === null || enumValue === undefined) return "–";
  const text = String(enumValue);
  if (ACRONYMS.has(text)) return text === "TITLE_IV_E" ? "Title IV-E" : text;
  const spaced = text.toLowerCase().replaceAll("_", " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

// A two-column table of label/value pairs; `id` names it for scripts and tests.
export function factTable(pairs, id) {
  const table = element("table", id ? { id } : {});
  for (const [label, value] of pairs) {
    const row = table.insertRow();
    row.append(element("th", { scope: "row", textContent: label }));
    row.insertCell().textContent = Array.isArray(value) ? value.join(", ") : String(value ?? "–");
  }
  return table;
}

// Plain text into a file the browser saves, named `name`.
export function saveFile(name, blob) {
  const link = element("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
