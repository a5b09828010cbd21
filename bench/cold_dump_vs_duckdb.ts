/**
 * Fresh process against fresh process: `cryptorun cold dump` of a window vs DuckDB (npm:@duckdb/node-api,
 * dev-only, in its own fresh Deno process) running the same query and writing the same rows as CSV to
 * stdout. Wall time from spawn to exit, as a user sees it (runtime start, module loading, the read, the
 * output), stdout drained by this process in both cases. Two windows: 1 hour × 1 symbol × all columns, and
 * 1 day × all symbols × ts+close.
 *
 *   deno run -A bench/cold_window.ts --mode gen --root /tmp/cold/zstd --codec zstd   # once: 8.64 M rows
 *   deno run -A bench/cold_dump_vs_duckdb.ts --data /tmp/cold/zstd [--rounds 7] [--base /tmp/perf-base] [--json]
 *
 * `--data`: a cold table root (`current/dt=YYYY-MM-DD/part-*.parquet`, or the older layout without `current/`);
 * the windows are taken in its middle day.
 * `--base`: another checkout whose `cryptorun cold dump` is timed too (before/after in one run). Each round
 * runs every command once per window, in rotating order. Prints medians, ratios to DuckDB and the load average.
 */
import { parseArgs } from "node:util";
import { loadavg } from "node:os";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string" },
    rounds: { type: "string", default: "7" },
    base: { type: "string" },
    json: { type: "boolean", default: false },
    mode: { type: "string", default: "main" },
    from: { type: "string" },
    to: { type: "string" },
    columns: { type: "string" },
    symbols: { type: "string" },
  },
  strict: true,
});

/** Where the dt= partitions are: the committed snapshot (`current/`), or the root itself (older layout). */
function partsOf(root: string): string {
  try {
    return Deno.statSync(`${root}/current`).isDirectory ? `${root}/current` : root;
  } catch {
    return root;
  }
}

if (values.mode === "duck") {
  // The DuckDB side, in its own process: same rows, CSV with a header, to stdout.
  // deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
  const { DuckDBInstance } = await import("npm:@duckdb/node-api@1.5.6-r.1");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const cols = values.columns
    ? values.columns.split(",").map((n) => n === "ts" ? "epoch_ms(ts) AS ts" : n).join(", ")
    : "epoch_ms(ts) AS ts, symbol, open, high, low, close, volume";
  const sym = values.symbols ? ` AND symbol = '${values.symbols}'` : "";
  await c.run(
    `COPY (SELECT ${cols} FROM read_parquet('${partsOf(values.data!)}/*/*.parquet', hive_partitioning=true)
      WHERE ts BETWEEN make_timestamptz(${Date.parse(values.from!)}::BIGINT*1000)
        AND make_timestamptz(${Date.parse(values.to!)}::BIGINT*1000)${sym}
      ORDER BY ts, symbol) TO '/dev/stdout' (FORMAT CSV, HEADER)`,
  );
  c.closeSync();
  db.closeSync();
  Deno.exit(0);
}

if (!values.data) {
  console.error("cold_dump_vs_duckdb: --data DIR (a cold table root with dt=… partitions) is required");
  Deno.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`cold_dump_vs_duckdb: --rounds must be a positive integer, found ${values.rounds}`);
  Deno.exit(2);
}
const data = values.data.replace(/\/$/, "");
const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const say = (s: string) => values.json ? console.error(s) : console.log(s);

const days: string[] = [];
for await (const e of Deno.readDir(partsOf(data))) {
  if (e.isDirectory && /^dt=/.test(e.name)) days.push(e.name.slice(3));
}
days.sort();
if (days.length === 0) throw new Error(`${data}: no dt=YYYY-MM-DD partitions`);
const mid = Date.parse(`${days[days.length >> 1]}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString();
const WINDOWS = [
  {
    name: "1 h, 1 symbol, all columns",
    key: "hour",
    from: iso(mid + 13 * 3_600_000),
    to: iso(mid + 14 * 3_600_000 - 1),
    symbols: "C007/USD",
    columns: undefined as string | undefined,
  },
  {
    name: "1 day, ts+close",
    key: "day",
    from: iso(mid),
    to: iso(mid + 86_400_000 - 1),
    symbols: undefined,
    columns: "ts,close",
  },
];

// `cryptorun --data-dir D` reads <D>/cold/ohlcv: point it at the table.
const dataDir = await Deno.makeTempDir({ prefix: "cryptorun-dump-bench-" });
await Deno.mkdir(`${dataDir}/cold`);
await Deno.symlink(data, `${dataDir}/cold/ohlcv`);

/** The window as flags: the same for `cryptorun cold dump` and this script's DuckDB mode. */
const windowFlags = (w: typeof WINDOWS[number]) => [
  "--from",
  w.from,
  "--to",
  w.to,
  ...(w.columns ? ["--columns", w.columns] : []),
  ...(w.symbols ? ["--symbols", w.symbols] : []),
];

type Side = { label: string; argv: (w: typeof WINDOWS[number]) => string[]; cwd: string };
const cryptorun = (repo: string, label: string): Side => ({
  label,
  cwd: repo,
  argv: (w) => [
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    `${repo}/main.ts`,
    "--data-dir",
    dataDir,
    "cold",
    "dump",
    ...windowFlags(w),
  ],
});
const sides: Side[] = [
  cryptorun(here, "cryptorun cold dump"),
  ...(values.base ? [cryptorun(values.base.replace(/\/$/, ""), "cryptorun cold dump (base)")] : []),
  {
    label: "DuckDB (fresh process)",
    cwd: here,
    argv: (w) => [
      "run",
      "-A",
      `${here}/bench/cold_dump_vs_duckdb.ts`,
      "--mode",
      "duck",
      "--data",
      data,
      ...windowFlags(w),
    ],
  },
  { label: "deno (empty program)", cwd: here, argv: () => ["eval", ""] },
];

/** Spawn → exit, stdout drained here; returns ms and the number of output lines. */
async function time(side: Side, w: typeof WINDOWS[number]): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: side.argv(w),
    cwd: side.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let lines = 0;
  for await (const chunk of child.stdout) for (const b of chunk) if (b === 10) lines++;
  const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
  const ms = performance.now() - t0;
  if (!status.success) throw new Error(`${side.label} (${w.key}) failed: ${err}`);
  return { ms, lines };
}

const samples = new Map<string, number[]>();
const lineCounts = new Map<string, number>();
const loads: number[] = [];
try {
  for (const w of WINDOWS) for (const s of sides) await time(s, w); // warm the page cache and deno's caches
  for (let r = 0; r < rounds; r++) {
    loads.push(loadavg()[0]);
    for (const w of WINDOWS) {
      const order = sides.map((_, i) => sides[(i + r) % sides.length]);
      for (const s of order) {
        const { ms, lines } = await time(s, w);
        const key = `${w.key}|${s.label}`;
        samples.set(key, [...(samples.get(key) ?? []), ms]);
        if (s.label !== "deno (empty program)") {
          const want = lineCounts.get(w.key);
          if (want !== undefined && want !== lines) {
            throw new Error(`${s.label} (${w.key}) printed ${lines} lines, another side ${want}`);
          }
          lineCounts.set(w.key, lines);
        }
      }
    }
  }
} finally {
  await Deno.remove(dataDir, { recursive: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const result: Record<string, Record<string, number>> = {};
say(
  `\nfresh process, wall ms (median of ${rounds}); ${data}; 1-min load average ${
    Math.min(...loads).toFixed(2)
  }–${Math.max(...loads).toFixed(2)}`,
);
say("| window | rows | command | ms | ÷ DuckDB |");
say("| --- | --: | --- | --: | --: |");
for (const w of WINDOWS) {
  const duck = median(samples.get(`${w.key}|DuckDB (fresh process)`)!);
  result[w.key] = { rows: lineCounts.get(w.key)! - 1 };
  for (const s of sides) {
    const ms = median(samples.get(`${w.key}|${s.label}`)!);
    result[w.key][s.label] = ms;
    say(
      `| ${w.name} | ${lineCounts.get(w.key)! - 1} | ${s.label} | ${ms.toFixed(0)} | ${
        (ms / duck).toFixed(2)
      } |`,
    );
  }
}
if (values.json) console.log(JSON.stringify({ loads, ...result }));
