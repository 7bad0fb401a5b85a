// Runs the graphql-http server audits (GraphQL-over-HTTP conformance) against a URL and
// prints one JSON report: every audit's id, name, status and reason, and the score.
// Usage: node audit-graphql-http.mjs http://127.0.0.1:8000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}
const passed = results.filter((r) => r.status === 'ok').length;
process.stdout.write(JSON.stringify({ passed, total: results.length, results }) + '\n');
