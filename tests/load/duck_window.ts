/**
 * The reference for the CLI read targets: DuckDB (npm:@duckdb/node-api, dev-only) reads the same window of
 * the same Parquet table in a fresh process and prints it as CSV on stdout, as `cryptorun cold dump` does.
 *
 *   deno run -A tests/load/duck_window.ts TABLE_DIR FROM_MS TO_MS [COLUMNS]
 *
 * Prints the rows, then `rows=N` on stderr.
 */
// deno-lint-ignore no-import-prefix -- dev-only reference tool, by full specifier (house rule)
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";

const [dir, from, to, columns] = Deno.args;
const cols = columns ? columns.split(",") : ["ts", "symbol", "open", "high", "low", "close", "volume"];
const select = cols.map((c) => (c === "ts" ? "epoch_ms(ts) AS ts" : c)).join(", ");
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
const r = await c.runAndReadAll(
  `SELECT ${select} FROM read_parquet('${dir}/current/*/*.parquet', hive_partitioning=true)
   WHERE ts BETWEEN make_timestamptz(${from}::BIGINT*1000) AND make_timestamptz(${to}::BIGINT*1000)
   ORDER BY ts, symbol`,
);
const rows = r.getRows();
const lines = [cols.join(",")];
for (const row of rows) lines.push(row.map(String).join(","));
const enc = new TextEncoder();
const text = lines.join("\n") + "\n";
for (let i = 0; i < text.length; i += 1 << 16) {
  await Deno.stdout.write(enc.encode(text.slice(i, i + (1 << 16))));
}
console.error(`rows=${rows.length}`);
c.closeSync();
db.closeSync();
