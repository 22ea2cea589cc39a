// DuckDB as a query oracle for the fuzzer (internal/sqlfuzz): reads one
// JSON request per line on stdin, {"sql": "…"}, runs it and answers one
// JSON line on stdout: {"ok": true, "types": […], "rows": [[cell|null]]}
// with every cell as DuckDB's text, or {"ok": false, "error": "…"}.
// Nulls order as PostgreSQL's (last ascending, first descending), so an
// ORDER BY answer is comparable. Usage: node duckdb_oracle.mjs
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';

const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
await con.run("SET default_null_order = 'nulls_last_on_asc_first_on_desc'");

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    out({ ok: false, error: 'bad request: ' + e.message });
    continue;
  }
  try {
    const r = await con.runAndReadAll(req.sql);
    const rows = r.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
    out({ ok: true, types: r.columnTypes().map((t) => t.toString()), rows });
  } catch (e) {
    out({ ok: false, error: String(e.message || e) });
  }
}
