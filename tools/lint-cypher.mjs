// Checks Cypher statements with Neo4j's own linter (@neo4j-cypher/language-support) as
// Neo4j 5 Cypher: syntax and semantic errors, and warnings such as deprecations.
// Reads a JSON array of statements on stdin; prints a JSON array of
// {statement, problems: [{severity, message, offset}]} for statements with problems.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const statements = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const flagged = [];
for (const statement of statements) {
  // Every $parameter is supplied by the code at run time; declare them so the linter
  // checks how they are used rather than that they exist.
  const parameters = {};
  for (const match of statement.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) parameters[match[1]] = null;
  const { diagnostics } = lintCypherQuery(statement, { defaultLanguage: 'CYPHER 5', parameters });
  if (diagnostics.length > 0) {
    flagged.push({
      statement,
      problems: diagnostics.map((d) => ({
        severity: SEVERITY[d.severity] ?? String(d.severity),
        message: d.message,
        offset: d.offsets?.start ?? null,
      })),
    });
  }
}
process.stdout.write(JSON.stringify(flagged) + '\n');
