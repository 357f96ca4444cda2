// Runs the `graphql-http` package's server audits against a running Rally.
// Usage: node bench/audit_graphql_http.mjs http://127.0.0.1:8000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:8000/graphql';
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  results.push({ name: audit.name, ...(await audit.fn()) });
}
let failures = 0;
let warnings = 0;
for (const r of results) {
  if (r.status === 'ok') continue;
  if (r.status === 'error') failures += 1; else warnings += 1;
  console.log(`${r.status.toUpperCase()}: ${r.name}\n    ${r.reason}`);
}
console.log(`graphql-http audits: ${results.length} run, ${failures} failures, ${warnings} warnings`);
process.exit(failures + warnings === 0 ? 0 : 1);
