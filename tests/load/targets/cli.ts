/**
 * The CLI paths users run in bulk, each a fresh `cryptorun` process measured exactly (tests/load/lib/proc.ts):
 * `cold dump` windows, `scan` over the whole universe, `stream publish` of a day. Every timing figure is a
 * ratio to DuckDB (npm:@duckdb/node-api) reading the same rows of the same Parquet files in a fresh process
 * in the same rounds (tests/load/duck_window.ts), interleaved with ours; the data are generated
 * deterministically, so the row counts and scan results are quality figures compared exactly.
 */
import { CLI_PERMISSIONS } from "../../helpers/cli.ts";
import { bars, HOUR, START, windowIo, writeBars } from "../lib/data.ts";
import { measureOk, type ProcCost } from "../lib/proc.ts";
import { median, relSpread } from "../lib/stats.ts";
import { type Figure, fmt, type TargetOptions, type TargetResult } from "../lib/target.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const DUCK = `${ROOT}tests/load/duck_window.ts`;
const MINUTE = 60_000;
const ENV = { CRYPTORUN_PERSISTENCE_ENABLED: "false" };

const cryptorun = (dataDir: string, args: string[]) =>
  measureOk(Deno.execPath(), ["run", ...CLI_PERMISSIONS, MAIN, "--data-dir", dataDir, "--quiet", ...args], {
    cwd: ROOT,
    env: ENV,
  });
const duck = (dataDir: string, from: number, to: number, columns?: string) =>
  measureOk(Deno.execPath(), [
    "run",
    "-A",
    DUCK,
    `${dataDir}/cold/ohlcv`,
    String(from),
    String(to),
    ...(columns ? [columns] : []),
  ]);

const lines = (s: string) => s.split("\n").filter((l) => l !== "").length;

interface Side {
  name: string;
  runs: ProcCost[];
}

function row(what: string, units: number, unitName: string, s: Side): Array<string | number> {
  const wall = median(s.runs.map((r) => r.wallMs));
  const cpu = median(s.runs.map((r) => r.cpuMs));
  return [
    what,
    s.name,
    s.runs.length,
    `${fmt(units / (wall / 1000), 0)} ${unitName}/s`,
    fmt(wall, 0),
    fmt(cpu, 0),
    fmt(Math.max(...s.runs.map((r) => r.peakRssMb)), 0),
    fmt(median(s.runs.map((r) => r.readBytes)) / 1e6, 1),
    fmt(median(s.runs.map((r) => r.writtenBytes)) / 1e6, 1),
  ];
}

/** CPU ratio ours/reference per round, median over rounds (interleaved rounds see the same load). */
function cpuRatio(ours: ProcCost[], ref: ProcCost[], reference: string): Figure {
  const ratios = ours.map((o, i) => o.cpuMs / ref[i].cpuMs);
  return {
    value: median(ratios),
    kind: "ratio",
    unit: "×",
    better: "lower",
    reference,
    spread: relSpread(ratios),
  };
}

export async function cliTarget(o: TargetOptions): Promise<TargetResult> {
  const rounds = o.sample ? 2 : 5;
  // Minute bars for dump and publish; hourly bars for the scan (its factors read 1h bars).
  const dump = { symbols: o.sample ? 25 : 200, days: o.sample ? 2 : 3 };
  const scan = { symbols: o.sample ? 50 : 300, hours: (o.sample ? 35 : 60) * 24 };
  const dumpDir = `${o.dir}/cli-dump`;
  const scanDir = `${o.dir}/cli-scan`;
  o.log(
    `cli: writing ${dump.symbols} symbols × ${dump.days} days of 1-minute bars, ${scan.symbols} × 60 days hourly`,
  );
  await writeBars(dumpDir, bars(dump.symbols, dump.days * 1440, MINUTE));
  await writeBars(scanDir, bars(scan.symbols, scan.hours, HOUR));

  const midDay = START + Math.floor(dump.days / 2) * 24 * HOUR;
  const w1h = { from: midDay + 13 * HOUR, to: midDay + 14 * HOUR - 1 };
  const w1d = { from: midDay, to: midDay + 24 * HOUR - 1 };
  const iso = (t: number) => new Date(t).toISOString();

  const s = {
    dump1h: { name: "cryptorun", runs: [] as ProcCost[] },
    duck1h: { name: "DuckDB", runs: [] as ProcCost[] },
    dump1d: { name: "cryptorun", runs: [] as ProcCost[] },
    duck1d: { name: "DuckDB", runs: [] as ProcCost[] },
    scan: { name: "cryptorun", runs: [] as ProcCost[] },
    publish: { name: "cryptorun", runs: [] as ProcCost[] },
  };
  const rows1h = dump.symbols * 60;
  const rows1d = dump.symbols * 1440;
  let scanResult: { ranked: number; passed: number; top: number } | undefined;
  let envelopes = 0;
  // A warm-up of each side first (page cache, npm cache), not counted.
  await cryptorun(dumpDir, ["cold", "dump", "--from", iso(w1h.from), "--to", iso(w1h.to)]);
  await duck(dumpDir, w1h.from, w1h.to);
  for (let r = 0; r < rounds; r++) {
    o.log(`cli: round ${r + 1}/${rounds}`);
    const a = await cryptorun(dumpDir, ["cold", "dump", "--from", iso(w1h.from), "--to", iso(w1h.to)]);
    const b = await duck(dumpDir, w1h.from, w1h.to);
    if (lines(a.stdout) !== lines(b.stdout)) {
      throw new Error(`cold dump 1h: ${lines(a.stdout)} lines, DuckDB ${lines(b.stdout)}`);
    }
    s.dump1h.runs.push(a);
    s.duck1h.runs.push(b);
    const c = await cryptorun(dumpDir, ["cold", "dump", "--from", iso(w1d.from), "--to", iso(w1d.to)]);
    const d = await duck(dumpDir, w1d.from, w1d.to);
    if (lines(c.stdout) !== lines(d.stdout)) {
      throw new Error(`cold dump 1d: ${lines(c.stdout)} lines, DuckDB ${lines(d.stdout)}`);
    }
    s.dump1d.runs.push(c);
    s.duck1d.runs.push(d);

    const e = await cryptorun(scanDir, ["scan", "--dry-run", "--json"]);
    const j = JSON.parse(e.stdout);
    scanResult = { ranked: j.ranked, passed: j.passed, top: j.results[0]?.score ?? NaN };
    s.scan.runs.push(e);

    const sink = `${o.dir}/publish-${r}.ndjson`;
    const p = await cryptorun(dumpDir, [
      "stream",
      "publish",
      "--from",
      iso(w1d.from),
      "--to",
      iso(w1d.to),
      "--sink",
      sink,
      "--checkpoint",
      `${o.dir}/publish-${r}.checkpoint.json`,
    ]);
    envelopes = lines(await Deno.readTextFile(sink));
    await Deno.remove(sink);
    s.publish.runs.push(p);
  }
  const io1h = await windowIo(dumpDir, { ...w1h });

  const figures: Record<string, Figure> = {
    "cli.cold_dump_1h.cpu_vs_duckdb": cpuRatio(
      s.dump1h.runs,
      s.duck1h.runs,
      "DuckDB reading the same 1 h window (all columns), fresh process, same rounds",
    ),
    "cli.cold_dump_1d.cpu_vs_duckdb": cpuRatio(
      s.dump1d.runs,
      s.duck1d.runs,
      "DuckDB reading the same 1 day window (all columns), fresh process, same rounds",
    ),
    "cli.scan.cpu_vs_duckdb_read": cpuRatio(
      s.scan.runs,
      s.duck1d.runs,
      `DuckDB reading ${fmt(rows1d, 0)} bars (all columns; the scan reads ${
        fmt(scan.symbols * 720, 0)
      }), fresh process, same rounds`,
    ),
    "cli.stream_publish_1d.cpu_vs_duckdb_read": cpuRatio(
      s.publish.runs,
      s.duck1d.runs,
      "DuckDB reading the same day (all columns), fresh process, same rounds",
    ),
    "cli.cold_dump_1h.rows": {
      value: lines(s.dump1h.runs[0].stdout) - 1,
      kind: "quality",
      unit: "rows",
      better: "higher",
    },
    "cli.cold_window_1h.bytes_read_vs_row_groups": {
      value: io1h.bytesRead / io1h.overlap,
      kind: "quality",
      unit: "×",
      better: "lower",
      reference: "bytes of the row groups that overlap the window (the page decoder reads a fraction)",
    },
    "cli.scan.ranked": { value: scanResult!.ranked, kind: "quality", unit: "symbols", better: "higher" },
    "cli.scan.passed": { value: scanResult!.passed, kind: "quality", unit: "symbols", better: "higher" },
    "cli.scan.top_score": { value: scanResult!.top, kind: "quality", unit: "points", better: "higher" },
    "cli.stream_publish_1d.envelopes": {
      value: envelopes,
      kind: "quality",
      unit: "envelopes",
      better: "higher",
    },
  };
  if (figures["cli.cold_dump_1h.rows"].value !== rows1h) {
    throw new Error(
      `cold dump 1h printed ${figures["cli.cold_dump_1h.rows"].value} rows, expected ${rows1h}`,
    );
  }
  return {
    target: "cli",
    title:
      `fresh processes, median of ${rounds} interleaved rounds; cold tier ${dump.symbols} symbols × ${dump.days} days of 1-min bars (zstd), scan universe ${scan.symbols} symbols × 60 days of 1-h bars`,
    columns: [
      "path",
      "who",
      "runs",
      "throughput",
      "wall ms",
      "CPU ms",
      "peak RSS MB",
      "read MB",
      "written MB",
    ],
    rows: [
      row(`cold dump 1 h (${fmt(rows1h, 0)} rows)`, rows1h, "rows", s.dump1h),
      row("  same window", rows1h, "rows", s.duck1h),
      row(`cold dump 1 day (${fmt(rows1d, 0)} rows)`, rows1d, "rows", s.dump1d),
      row("  same window", rows1d, "rows", s.duck1d),
      row(`scan --dry-run (${scan.symbols} symbols)`, scan.symbols, "symbols", s.scan),
      row(`stream publish 1 day (${fmt(envelopes, 0)} envelopes)`, envelopes, "envelopes", s.publish),
    ],
    figures,
    notes: [
      `read/written MB: bytes through read/write syscalls of the whole process (module loading included); the cold read path itself read ${
        fmt(io1h.bytesRead, 0)
      } B for the 1 h window, ${fmt(io1h.bytesRead / io1h.overlap, 3)}× the ${
        fmt(io1h.overlap, 0)
      } B of the row groups it overlaps`,
    ],
  };
}
