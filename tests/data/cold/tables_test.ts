// The table registry (src/data/cold/tables.ts): built-in tables and their declared schemas, cold.tables
// overrides and additions, the legacy cold.path/cold.parquet_schema spelling of the ohlcv table, quarantine
// tables, and a clear configuration error (exit 2) for every bad declaration.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { resolveTables, tableDef } from "../../../src/data/cold/tables.ts";
import { checkRow } from "../../../src/data/cold/row_check.ts";
import { ConfigError, InputError } from "../../../src/util/errors.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { tempDir } from "../../helpers/tmp.ts";

const names = (cfg: unknown) => [...resolveTables(ColdSection.parse(cfg)).keys()].sort();

Deno.test("registry: built-in tables ohlcv, ohlcv_1m, derivs and a quarantine table for each", () => {
  const defs = resolveTables(ColdSection.parse({}));
  assert.deepEqual([...defs.keys()].sort(), [
    "derivs",
    "ohlcv",
    "ohlcv_1m",
    "quarantine/derivs",
    "quarantine/ohlcv",
    "quarantine/ohlcv_1m",
  ]);
  const ohlcv = defs.get("ohlcv")!;
  assert.equal(ohlcv.path, "cold/ohlcv");
  assert.deepEqual(ohlcv.schema.fields.map((f) => f.name), [
    "ts",
    "symbol",
    "open",
    "high",
    "low",
    "close",
    "volume",
  ]);
  assert.deepEqual(ohlcv.schema.key, ["ts", "symbol"]);
  assert.equal(ohlcv.check, checkRow, "ohlcv rows get exactly the wave-1/2 checks");
  assert.equal(ohlcv.format, "parquet");

  const m1 = defs.get("ohlcv_1m")!;
  assert.equal(m1.path, "cold/ohlcv_1m", "next to ohlcv, where live ingest has always written it");
  assert.deepEqual(m1.schema.fields.slice(7).map((f) => [f.name, f.type, f.required, f.added_later]), [
    ["vwap", "double", false, true],
    ["trades", "int64", false, true],
  ]);

  const d = defs.get("derivs")!;
  assert.deepEqual(d.schema.key, ["ts", "symbol", "venue", "record", "contract"]);
  assert.ok(d.schema.fields.some((f) => f.name === "expiry" && f.type === "timestamp(ms)" && !f.required));
  assert.equal(d.path, "cold/derivs");
  assert.ok(d.schema.fields.some((f) => f.name === "funding_rate_annualized" && f.type === "double"));

  const q = defs.get("quarantine/ohlcv_1m")!;
  assert.equal(q.path, "quarantine/ohlcv_1m");
  assert.equal(q.quarantineOf, "ohlcv_1m");
  // Source columns (values nullable), then check/score/detected_at, then the source's added_later columns.
  assert.deepEqual(
    q.schema.fields.map((f) => `${f.name}${f.required ? "!" : ""}${f.added_later ? "+" : ""}`),
    [
      "ts!",
      "symbol!",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "check!",
      "score",
      "detected_at!",
      "vwap+",
      "trades+",
    ],
  );
  assert.deepEqual(q.schema.key, ["ts", "symbol"]);
  // A quarantined row may be one the table refuses (high < low, a non-finite price as null).
  assert.equal(
    q.check({
      ts: Date.UTC(2025, 0, 1),
      symbol: "BTC/USD",
      open: 1,
      high: 1,
      low: 2,
      close: null,
      volume: -1,
      check: "schema",
      detected_at: Date.UTC(2025, 0, 2),
    }),
    null,
  );
  assert.match(
    q.check({ ts: Date.UTC(2025, 0, 1), symbol: "BTC/USD", score: 1 })!.message,
    /check: expected a string \(the field is required\)/,
  );
});

Deno.test("registry: cold.path and cold.parquet_schema keep naming the ohlcv table; cold.tables overrides and adds", () => {
  const defs = resolveTables(ColdSection.parse({
    path: "/srv/bars/ohlcv",
    format: "csv",
    tables: {
      derivs: { path: "derivs_v2", parquet_compression: "lz4", format: "parquet" },
      ohlcv_1m_kraken: { schema: "ohlcv_1m" },
      basis: {
        fields: [
          { name: "ts", type: "timestamp(ms)", required: true },
          { name: "symbol", type: "string", required: true },
          { name: "tenor", type: "string", required: true },
          { name: "basis", type: "double" },
        ],
        key: ["ts", "symbol", "tenor"],
      },
    },
  }));
  assert.equal(defs.get("ohlcv")!.path, "/srv/bars/ohlcv");
  assert.equal(defs.get("ohlcv")!.format, "csv", "cold.format is every table's default");
  assert.equal(defs.get("ohlcv_1m")!.path, "/srv/bars/ohlcv_1m", "siblings of cold.path");
  assert.equal(defs.get("derivs")!.path, "derivs_v2");
  assert.equal(defs.get("derivs")!.format, "parquet");
  assert.equal(defs.get("derivs")!.parquetCompression, "lz4");
  assert.deepEqual(defs.get("ohlcv_1m_kraken")!.schema.fields.map((f) => f.name), [
    ...defs.get("ohlcv_1m")!.schema.fields.map((f) => f.name),
  ]);
  assert.deepEqual(defs.get("basis")!.schema.key, ["ts", "symbol", "tenor"]);
  assert.ok(defs.has("quarantine/basis"));
  // The migration: cold.tables.ohlcv.path is the new spelling of cold.path.
  assert.equal(
    resolveTables(ColdSection.parse({ tables: { ohlcv: { path: "bars/hourly" } } })).get("ohlcv")!.path,
    "bars/hourly",
  );
});

Deno.test("registry: bad declarations are configuration errors naming the key", () => {
  const bad = (cfg: unknown, re: RegExp) =>
    assert.throws(() => resolveTables(ColdSection.parse(cfg)), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${e}`);
      assert.match(e.message, re);
      return true;
    });
  bad(
    { tables: { trades: { path: "x" } } },
    /cold\.tables\.trades: a table that is not built in needs fields/,
  );
  bad({ tables: { t: { schema: "nope" } } }, /cold\.tables\.t\.schema: unknown built-in table "nope"/);
  bad(
    {
      tables: {
        t: {
          fields: [{ name: "symbol", type: "string", required: true }, {
            name: "ts",
            type: "timestamp(ms)",
            required: true,
          }],
        },
      },
    },
    /cold\.tables\.t\.fields: the first fields must be ts and symbol/,
  );
  bad(
    {
      tables: {
        t: {
          fields: [
            { name: "ts", type: "timestamp(ms)", required: true },
            { name: "symbol", type: "string", required: true },
            { name: "venue", type: "string" },
          ],
          key: ["ts", "symbol", "venue"],
        },
      },
    },
    /key column venue must be required: true/,
  );
  bad(
    {
      tables: {
        t: {
          fields: [
            { name: "ts", type: "timestamp(ms)", required: true },
            { name: "symbol", type: "string", required: true },
            { name: "a", type: "double", added_later: true },
            { name: "b", type: "double" },
          ],
        },
      },
    },
    /field b comes after an added_later field/,
  );
  bad(
    { tables: { ohlcv: { schema: "derivs" } } },
    /cold\.tables\.ohlcv\.schema: table ohlcv is read as OHLCV bars/,
  );
  bad(
    { path: "cold/a", tables: { ohlcv: { path: "cold/b" } } },
    /cold\.tables\.ohlcv\.path: table ohlcv's directory is set twice/,
  );
  bad(
    { tables: { derivs: { path: "cold/ohlcv" } } },
    /tables ohlcv and derivs would share the directory "cold\/ohlcv"/,
  );
  bad(
    {
      tables: {
        t: {
          schema: "ohlcv",
          fields: [{ name: "ts", type: "timestamp(ms)", required: true }, {
            name: "symbol",
            type: "string",
            required: true,
          }],
        },
      },
    },
    /give fields or schema, not both/,
  );
  // The spec's parquet_schema keeps its own check.
  bad(
    { parquet_schema: { fields: [{ name: "ts", type: "timestamp(ms)", required: true }] } },
    /cold\.parquet_schema\.fields: expected the ohlcv fields/,
  );
  assert.deepEqual(names({}).length, 6);
});

Deno.test("registry: an unknown table name is an error listing the tables", () => {
  const defs = resolveTables(ColdSection.parse({}));
  assert.throws(() => tableDef(defs, "trades", "--table"), (e: Error) => {
    assert.ok(e instanceof InputError);
    assert.match(
      e.message,
      /^--table: unknown table "trades" \(tables: ohlcv, ohlcv_1m, derivs; quarantine\/<table>/,
    );
    return true;
  });
});

Deno.test("config: cold.tables in data_sources.yaml loads; a bad entry names file, line and key", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/cryptorun.yaml`, "");
  await Deno.writeTextFile(
    `${dir.path}/data_sources.yaml`,
    "cold:\n  tables:\n    derivs:\n      format: csv\n      compression: lz4\n",
  );
  const { config } = await loadConfig({ configPath: `${dir.path}/cryptorun.yaml`, env: {} });
  const d = resolveTables(config.cold).get("derivs")!;
  assert.equal(d.format, "csv");
  assert.equal(d.compression, "lz4");
  await Deno.writeTextFile(
    `${dir.path}/data_sources.yaml`,
    "cold:\n  tables:\n    Derivs:\n      format: csv\n",
  );
  await assert.rejects(
    loadConfig({ configPath: `${dir.path}/cryptorun.yaml`, env: {} }),
    /data_sources\.yaml:\d+:\d+: cold\.tables\.Derivs: expected a lower-case table name like derivs/,
  );
});
