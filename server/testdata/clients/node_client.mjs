// node-postgres against lakeq: extended-protocol queries with typed
// parameters, type parsing of results, an error, a transaction and a
// pool of concurrent clients. Prints "NODE OK" last; exits non-zero on
// the first mismatch. Usage: node node_client.mjs URL
import pg from 'pg';
import assert from 'node:assert/strict';

const url = process.argv[2];
const client = new pg.Client({ connectionString: url, application_name: 'node-test' });
await client.connect();

let r = await client.query('SELECT $1::int AS i, $2::text AS t, $3::numeric AS n, $4::boolean AS b, $5::date AS d, $6::float8 AS f',
  [42, 'héllo', '12.50', true, '2024-02-29', 2.5]);
assert.equal(r.rows[0].i, 42);
assert.equal(r.rows[0].t, 'héllo');
// lakeq's numerics carry one scale per expression (README): compare the value
assert.equal(Number(r.rows[0].n), 12.5);
assert.equal(r.rows[0].b, true);
assert.equal(r.rows[0].f, 2.5);
assert.equal(r.fields.map((f) => f.dataTypeID).join(','), '23,25,1700,16,1082,701');
console.log('typed parameters ok');

r = await client.query("SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS ts, ARRAY[1,2,3] AS a, '{\"k\": 1}'::jsonb AS j, NULL::text AS z");
assert.equal(r.rows[0].ts.toISOString(), '2024-01-02T03:04:05.000Z');
assert.deepEqual(r.rows[0].a, [1, 2, 3]);
assert.deepEqual(r.rows[0].j, { k: 1 });
assert.equal(r.rows[0].z, null);
console.log('result types ok');

await client.query('CREATE TABLE node_t (id int, name text)');
for (let i = 0; i < 20; i++) {
  await client.query({ name: 'ins', text: 'INSERT INTO node_t VALUES ($1, $2)', values: [i, 'n' + i] });
}
r = await client.query({ name: 'count', text: 'SELECT count(*)::int AS c FROM node_t WHERE id >= $1', values: [10] });
assert.equal(r.rows[0].c, 10);
console.log('named statements ok');

await assert.rejects(client.query('SELECT * FROM missing_table'), (e) => e.code === '42P01' && /missing_table/.test(e.message));
r = await client.query('SELECT 1 AS one');
assert.equal(r.rows[0].one, 1);
console.log('error recovery ok');

await client.query('BEGIN');
await assert.rejects(client.query('SELECT 1/0'), (e) => e.code === '22012');
await assert.rejects(client.query('SELECT 1'), (e) => e.code === '25P02');
await client.query('ROLLBACK');
console.log('transaction ok');
await client.end();

const pool = new pg.Pool({ connectionString: url, max: 8 });
const results = await Promise.all(Array.from({ length: 32 }, (_, i) =>
  pool.query('SELECT $1::int * 2 AS v, count(*)::int AS c FROM node_t', [i])));
results.forEach((res, i) => {
  assert.equal(res.rows[0].v, i * 2);
  assert.equal(res.rows[0].c, 20);
});
await pool.end();
console.log('pool ok');
console.log('NODE OK');
