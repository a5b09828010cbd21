/**
 * Before/after in ONE run: the same benchmarks against this checkout and an older one, interleaved, so machine
 * load hits both alike (docs/PERFORMANCE.md's before/after tables come from this).
 *
 *   git worktree add --detach /tmp/perf-base <commit>
 *   deno run -A bench/side_by_side.ts --base /tmp/perf-base [--rounds 3] [--only scan,stream,kraken,cold]
 *     [--cold-data DIR] [--out f.json]
 *   git worktree remove --force /tmp/perf-base
 *
 * This checkout's bench/*.ts files are copied into the base's bench/ first (the base is a throwaway worktree),
 * so both sides run the same benchmark code against their own src/. Each round runs every benchmark once per
 * side, alternating which side goes first; it prints the median of each number per side, the ratio
 * after ÷ before, and the 1-minute load average seen before each run. For `stream` it starts a throwaway
 * redis-server on a loopback port (stopped at the end). `cold` (warm window reads, bench/cold_window.ts
 * --repeat 15) needs --cold-data DIR holding zstd/ and gzip/ tables made by `bench/cold_window.ts --mode gen`
 * with the default 200 symbols × 30 days, in a layout both sides read (a base older than the snapshot layout of
 * issue #13 needs tables written by its own bench/cold_window.ts).
 */
import { parseArgs } from "node:util";
import { loadavg } from "node:os";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    rounds: { type: "string", default: "3" },
    only: { type: "string", default: "scan,stream,kraken" },
    out: { type: "string" },
    "cold-data": { type: "string" },
  },
  strict: true,
});
if (!values.base) {
  console.error("side_by_side: --base DIR (a git worktree of the older commit) is required");
  Deno.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`side_by_side: --rounds must be a positive integer, found ${values.rounds}`);
  Deno.exit(2);
}
const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const base = values.base.replace(/\/$/, "");

interface Bench {
  name: string;
  file: string;
  /** One process per entry; its JSON keys get the prefix. */
  runs: { prefix: string; args: string[]; keys?: string[] }[];
  /** Larger is better for these keys (rates); smaller for the rest (times). */
  higherIsBetter: (key: string) => boolean;
}
const cold = values["cold-data"]?.replace(/\/$/, "");
const BENCHES: Bench[] = [
  {
    name: "scan",
    file: "bench/scan_rolling.ts",
    runs: [{ prefix: "", args: ["500", "8760", "--json", "--no-growth"] }],
    higherIsBetter: () => false,
  },
  {
    name: "stream",
    file: "bench/stream_throughput.ts",
    runs: [{ prefix: "", args: ["200000", "--json"] }],
    higherIsBetter: () => true,
  },
  {
    name: "kraken",
    file: "bench/kraken_book_bench.ts",
    runs: [{ prefix: "", args: ["--json"] }],
    higherIsBetter: () => true,
  },
  {
    name: "cold",
    file: "bench/cold_window.ts",
    runs: ["zstd", "gzip"].flatMap((codec) =>
      ["hour", "day"].map((window) => ({
        prefix: `${codec}_${window}_`,
        args: ["--mode", "read", "--root", `${cold}/${codec}`, "--window", window, "--repeat", "15"],
        keys: ["ms", "rows"],
      }))
    ),
    higherIsBetter: () => false,
  },
];
const only = new Set(values.only.split(","));
for (const o of only) {
  if (!BENCHES.some((b) => b.name === o)) {
    console.error(`side_by_side: --only: unknown benchmark ${o} (known: ${BENCHES.map((b) => b.name)})`);
    Deno.exit(2);
  }
}
const chosen = BENCHES.filter((b) => only.has(b.name));
if (only.has("cold") && !cold) {
  console.error(
    "side_by_side: --only cold needs --cold-data DIR (zstd/ and gzip/ tables, see bench/cold_window.ts)",
  );
  Deno.exit(2);
}

for await (const e of Deno.readDir(`${here}/bench`)) {
  if (e.isFile && e.name.endsWith(".ts")) {
    await Deno.copyFile(`${here}/bench/${e.name}`, `${base}/bench/${e.name}`);
  }
}

const env: Record<string, string> = {};
let redis: Deno.ChildProcess | undefined;
if (only.has("stream")) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  redis = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, 300));
  env.CRYPTORUN_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
}

type Sample = { load: number; values: Record<string, number | null> };
const results = new Map<string, { after: Sample[]; before: Sample[] }>();

async function run(dir: string, b: Bench): Promise<Sample> {
  const load = loadavg()[0];
  const values: Record<string, number | null> = {};
  for (const r of b.runs) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", b.file, ...r.args],
      cwd: dir,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (!out.success) {
      throw new Error(
        `${dir}: ${b.file} ${r.args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const got = JSON.parse(text.split("\n").at(-1)!) as Record<string, number | null>;
    for (const [k, v] of Object.entries(got)) if (!r.keys || r.keys.includes(k)) values[r.prefix + k] = v;
  }
  return { load, values };
}

try {
  for (let r = 0; r < rounds; r++) {
    for (const b of chosen) {
      const slot = results.get(b.name) ?? { after: [], before: [] };
      results.set(b.name, slot);
      const order = r % 2 === 0 ? ["after", "before"] as const : ["before", "after"] as const;
      for (const side of order) {
        const s = await run(side === "after" ? here : base, b);
        slot[side].push(s);
        console.error(
          `round ${r + 1} ${b.name} ${side}: load ${s.load.toFixed(2)} ${JSON.stringify(s.values)}`,
        );
      }
    }
  }
} finally {
  if (redis) {
    redis.kill("SIGTERM");
    await redis.status;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number) => Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3);
const report: Record<string, unknown> = { base, rounds, at: new Date().toISOString() };
for (const b of chosen) {
  const slot = results.get(b.name)!;
  const loads = [...slot.after, ...slot.before].map((s) => s.load);
  console.log(
    `\n${b.name} (${rounds} rounds, 1-min load average ${Math.min(...loads).toFixed(2)}–${
      Math.max(...loads).toFixed(2)
    })`,
  );
  console.log("| number | before (median) | after (median) | after ÷ before |");
  console.log("| --- | --: | --: | --: |");
  const rows: Record<string, unknown> = {};
  for (const key of Object.keys(slot.after[0].values)) {
    const a = slot.after.map((s) => s.values[key]).filter((v): v is number => typeof v === "number");
    const p = slot.before.map((s) => s.values[key]).filter((v): v is number => typeof v === "number");
    if (a.length === 0 || p.length === 0) continue;
    const ma = median(a), mp = median(p);
    const ratio = ma / mp;
    rows[key] = { before: mp, after: ma, ratio, higher_is_better: b.higherIsBetter(key) };
    console.log(`| ${key} | ${fmt(mp)} | ${fmt(ma)} | ${ratio.toFixed(2)} |`);
  }
  report[b.name] = { loads, rows };
}
if (values.out) await Deno.writeTextFile(values.out, JSON.stringify(report, null, 2));
