// Runs a benchmark job in DuckDB (the peer engine) and prints one JSON
// line per query: {"name", "times" (ms), "columns", "rows"}.
// Usage: node duckdb_runner.mjs JOB.json
import { readFileSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const inst = await DuckDBInstance.create(':memory:', { threads: String(job.threads) });
const con = await inst.connect();
for (const sql of job.duckdb_setup) {
  await con.run(sql);
}
for (const q of job.queries) {
  if (q.skip_duckdb) continue; // DuckDB does not finish it: lakeq alone
  const sql = q.duckdb_sql || q.sql;
  const times = [];
  let reader;
  for (let i = 0; i < job.runs + 1; i++) {
    // {run} and remove_after as in the lakeq worker (harness.RunName)
    const run = `${process.pid}_${i}`;
    const t0 = performance.now();
    reader = await con.runAndReadAll(sql.replaceAll('{run}', run));
    const ms = performance.now() - t0;
    for (const p of q.remove_after || []) rmSync(p.replaceAll('{run}', run), { recursive: true, force: true });
    if (i > 0) times.push(ms); // the first run is the warm-up
  }
  const rows = reader.getRowsJson().map(r => r.map(v => (v === null ? null : String(v))));
  process.stdout.write(JSON.stringify({ name: q.name, times, columns: reader.columnNames(), rows }) + '\n');
}
