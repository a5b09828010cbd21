/**
 * Cold-tier benchmark (issue #4): 200 symbols × 30 days × 1-minute bars (8.64 M rows), generated
 * deterministically; write throughput and bytes per codec; 1-day/2-column and 1-hour/1-symbol window reads,
 * side by side with DuckDB (npm:@duckdb/node-api, dev-only) on the same files. Each read runs in a fresh
 * child process so its peak RSS (VmHWM) is its own; a second table reads each window 1 + 9 times in one
 * process (median of the 9), as a long-running service would.
 *
 *   deno run -A bench/cold_window.ts                       # full size (slow: minutes, ~1 GB disk)
 *   deno run -A bench/cold_window.ts --symbols 20 --days 3 # quick
 */
import { parseArgs } from "node:util";
import { ColdSection } from "../src/config/sections/cold.ts";
import { openColdStore } from "../src/data/cold/store.ts";
import type { IoEvent, OhlcvRow } from "../src/data/cold/types.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "main" },
    root: { type: "string" },
    symbols: { type: "string", default: "200" },
    days: { type: "string", default: "30" },
    codec: { type: "string", default: "zstd" },
    codecs: { type: "string", default: "zstd,lz4,snappy,gzip" },
    window: { type: "string", default: "day" },
    repeat: { type: "string", default: "0" },
  },
});
const START = Date.parse("2025-09-01T00:00:00Z");
const DAY = 86_400_000;

function* bars(symbols: number, days: number): Generator<OhlcvRow> {
  let s = 1234567;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const names = Array.from({ length: symbols }, (_, i) => `C${String(i).padStart(3, "0")}/USD`);
  const px = names.map((_, i) => 10 + i);
  for (let ts = START; ts < START + days * DAY; ts += 60_000) {
    for (let k = 0; k < symbols; k++) {
      const open = px[k];
      const close = open * (1 + (rnd() - 0.5) / 500);
      px[k] = close;
      yield {
        ts,
        symbol: names[k],
        open,
        high: Math.max(open, close) * (1 + rnd() / 1000),
        low: Math.min(open, close) * (1 - rnd() / 1000),
        close,
        volume: Math.round(rnd() * 1e6) / 100,
      };
    }
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

function vmhwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function windowOf(days: number, w: string) {
  const mid = START + Math.floor(days / 2) * DAY;
  return w === "day"
    ? { from: mid, to: mid + DAY - 1, columns: ["ts", "close"], symbols: undefined as string[] | undefined }
    : { from: mid + 13 * 3_600_000, to: mid + 14 * 3_600_000 - 1, columns: undefined, symbols: ["C007/USD"] };
}

/** Bytes of the current snapshot's part files (the partition folders under `current`). */
async function dirBytes(root: string): Promise<number> {
  let n = 0;
  const cur = `${root}/current`;
  for await (const d of Deno.readDir(cur)) {
    if (!d.isDirectory) continue;
    for await (const f of Deno.readDir(`${cur}/${d.name}`)) {
      n += (await Deno.stat(`${cur}/${d.name}/${f.name}`)).size;
    }
  }
  return n;
}

const symbols = Number(values.symbols);
const days = Number(values.days);

if (values.mode === "gen") {
  const root = values.root!;
  const store = openColdStore(ColdSection.parse({ path: root, parquet_compression: values.codec }), "/");
  const t0 = performance.now();
  const r = await store.write("ohlcv", bars(symbols, days));
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rows: r.rows, seconds: s, bytes: await dirBytes(root), rss: vmhwmMb() }));
} else if (values.mode === "read") {
  // One fresh read, or with --repeat N: 1 warm-up read then the median of N in the same process.
  const store = openColdStore(ColdSection.parse({ path: values.root! }), "/");
  const w = windowOf(days, values.window!);
  const once = async () => {
    const io: IoEvent[] = [];
    const t0 = performance.now();
    let rows = 0;
    let check = 0;
    for await (
      const b of store.readBatches("ohlcv", w, {
        columns: w.columns,
        symbols: w.symbols,
        onIo: (e) => io.push(e),
      })
    ) {
      rows += b.length;
      check += b.ts[b.length - 1];
    }
    const ms = performance.now() - t0;
    const bytesRead = io.reduce((s, e) => s + (e.kind === "bytes" ? e.bytes : 0), 0);
    const overlap = io.reduce((s, e) => s + (e.kind === "row_group" ? e.bytes : 0), 0);
    return { rows, ms, bytesRead, overlap, check };
  };
  const repeat = Number(values.repeat);
  let r = await once();
  if (repeat > 0) {
    const ms: number[] = [];
    for (let i = 0; i < repeat; i++) ms.push((r = await once()).ms);
    r.ms = median(ms);
  }
  console.log(JSON.stringify({ ...r, rss: vmhwmMb() }));
} else if (values.mode === "duck") {
  // deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
  const { DuckDBInstance } = await import("npm:@duckdb/node-api@1.5.6-r.1");
  const w = windowOf(days, values.window!);
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const cols = w.columns ? w.columns.join(", ") : "*";
  const sym = w.symbols ? ` AND symbol = '${w.symbols[0]}'` : "";
  const sql = `SELECT ${cols} FROM read_parquet('${values.root}/current/*/*.parquet', hive_partitioning=true)
    WHERE ts BETWEEN make_timestamptz(${w.from}::BIGINT*1000) AND make_timestamptz(${w.to}::BIGINT*1000)${sym}`;
  const once = async () => {
    const t0 = performance.now();
    const r = await c.runAndReadAll(sql);
    return { rows: r.currentRowCount, ms: performance.now() - t0 };
  };
  const repeat = Number(values.repeat);
  let { rows, ms } = await once();
  if (repeat > 0) {
    const all: number[] = [];
    for (let i = 0; i < repeat; i++) all.push((({ rows, ms } = await once()), ms));
    ms = median(all);
  }
  c.closeSync();
  db.closeSync();
  console.log(JSON.stringify({ rows, ms, rss: vmhwmMb() }));
} else {
  const base = await Deno.makeTempDir({ prefix: "cryptorun-cold-bench-" });
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        ...args,
        "--symbols",
        String(symbols),
        "--days",
        String(days),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (out.code !== 0) throw new Error(`child ${args.join(" ")} failed`);
    return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  };
  console.log(
    `# cold bench: ${symbols} symbols × ${days} days × 1-min = ${
      symbols * days * 1440
    } rows; ${Deno.build.os}, deno ${Deno.version.deno}, cores ${navigator.hardwareConcurrency}`,
  );
  const codecs = values.codecs!.split(",");
  const roots: Record<string, string> = {};
  console.log("| codec | write rows/s | write s | bytes on disk | write peak RSS MB |");
  console.log("|---|---|---|---|---|");
  for (const codec of codecs) {
    roots[codec] = `${base}/${codec}`;
    const g = await run(["--mode", "gen", "--root", roots[codec], "--codec", codec]);
    console.log(
      `| ${codec} | ${Math.round(g.rows / g.seconds)} | ${g.seconds.toFixed(1)} | ${g.bytes} | ${
        g.rss.toFixed(0)
      } |`,
    );
  }
  console.log(
    "\n| codec | window | rows | ours ms | DuckDB ms | ratio | bytes read | overlapping row groups bytes | ours peak RSS MB | DuckDB peak RSS MB |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const codec of codecs) {
    for (const window of ["day", "hour"]) {
      // warm the page cache once so both sides read from memory
      await run(["--mode", "read", "--root", roots[codec], "--window", window]);
      const ours = [];
      const duck = [];
      for (let i = 0; i < 3; i++) {
        ours.push(await run(["--mode", "read", "--root", roots[codec], "--window", window]));
        duck.push(await run(["--mode", "duck", "--root", roots[codec], "--window", window]));
      }
      const o = median(ours.map((x) => x.ms));
      const d = median(duck.map((x) => x.ms));
      if (ours[0].rows !== duck[0].rows) {
        throw new Error(`row count differs: ours ${ours[0].rows}, DuckDB ${duck[0].rows}`);
      }
      console.log(
        `| ${codec} | ${window === "day" ? "1 day, ts+close" : "1 h, 1 symbol, all cols"} | ${
          ours[0].rows
        } | ${o.toFixed(1)} | ${d.toFixed(1)} | ${(o / d).toFixed(2)} | ${ours[0].bytesRead} | ${
          ours[0].overlap
        } | ${ours[0].rss.toFixed(0)} | ${duck[0].rss.toFixed(0)} |`,
      );
    }
  }
  // A long-running process (serve, a research notebook) reads windows many times: warm, same process.
  console.log("\n| codec | window | ours warm ms | DuckDB warm ms | ratio |");
  console.log("|---|---|---|---|---|");
  for (const codec of codecs) {
    for (const window of ["day", "hour"]) {
      const args = ["--root", roots[codec], "--window", window, "--repeat", "9"];
      const o = await run(["--mode", "read", ...args]);
      const d = await run(["--mode", "duck", ...args]);
      if (o.rows !== d.rows) throw new Error(`row count differs: ours ${o.rows}, DuckDB ${d.rows}`);
      console.log(
        `| ${codec} | ${window === "day" ? "1 day, ts+close" : "1 h, 1 symbol, all cols"} | ${
          o.ms.toFixed(1)
        } | ${d.ms.toFixed(1)} | ${(o.ms / d.ms).toFixed(2)} |`,
      );
    }
  }
  await Deno.remove(base, { recursive: true });
}
