/**
 * Cold-tier commit + checksum overhead (issue 13): `cryptorun cold write` and `cryptorun cold dump` (a 1-hour
 * and a 1-day window), each a fresh process, with this checkout vs the code before snapshots and checksums
 * (commit 7a0437c, checked out as a temporary `git worktree` and run side by side in the same loop, runs
 * interleaved so both see the same machine load). Reports medians and ratios (goal: < 1.10).
 *
 *   deno run -A bench/cold_commit.ts                      # 200 symbols × 3 days of 1-min bars (864k rows)
 *   deno run -A bench/cold_commit.ts --symbols 50 --days 2 --runs 3
 *   deno run -A bench/cold_commit.ts --base <commit>      # another baseline
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    symbols: { type: "string", default: "200" },
    days: { type: "string", default: "3" },
    runs: { type: "string", default: "5" },
    base: { type: "string", default: "7a0437c" },
  },
});
const SYMBOLS = Number(values.symbols);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const START = Date.parse("2025-09-01T00:00:00Z");
const DAY = 86_400_000;
const HERE = new URL("../", import.meta.url).pathname;
const PERMS = ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-sys"];

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function sh(cmd: string, args: string[], cwd = HERE): Promise<string> {
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  return new TextDecoder().decode(r.stdout);
}

/** The input CSV: SYMBOLS pairs × DAYS days of 1-minute bars (deterministic). */
async function writeInput(path: string): Promise<number> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let s = 1234567;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const px = Array.from({ length: SYMBOLS }, (_, i) => 10 + i);
  let rows = 0;
  await f.write(enc.encode("ts_ms,symbol,open,high,low,close,volume\n"));
  for (let ts = START; ts < START + DAYS * DAY; ts += 60_000) {
    const lines: string[] = [];
    for (let k = 0; k < SYMBOLS; k++) {
      const open = px[k];
      const close = open * (1 + (rnd() - 0.5) / 500);
      px[k] = close;
      const high = Math.max(open, close) * (1 + rnd() / 1000);
      const low = Math.min(open, close) * (1 - rnd() / 1000);
      lines.push(`${ts},C${String(k).padStart(3, "0")}/USD,${open},${high},${low},${close},${rnd() * 1e4}\n`);
      rows++;
    }
    const b = enc.encode(lines.join(""));
    let off = 0;
    while (off < b.length) off += await f.write(b.subarray(off));
  }
  f.close();
  return rows;
}

/**
 * One fresh `cryptorun` process of checkout `dir` (stdout discarded): wall time and CPU time (user + sys,
 * from /usr/bin/time), both in ms. CPU time is the steadier figure on a machine shared with other jobs.
 */
async function timed(dir: string, argv: string[]): Promise<{ wall: number; cpu: number }> {
  const cpuFile = `${tmp}/cpu.txt`;
  const t0 = performance.now();
  const r = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%U %S", "-o", cpuFile, Deno.execPath(), "run", ...PERMS, `${dir}/main.ts`, ...argv],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const wall = performance.now() - t0;
  if (r.code !== 0) throw new Error(`${dir}: ${argv.join(" ")}: ${new TextDecoder().decode(r.stderr)}`);
  const [user, sys] = (await Deno.readTextFile(cpuFile)).trim().split("\n").pop()!.split(" ").map(Number);
  return { wall, cpu: (user + sys) * 1000 };
}

const tmp = await Deno.makeTempDir({ prefix: "cryptorun-cold-commit-bench-" });
const baseDir = `${tmp}/base`;
await sh("git", ["worktree", "add", "--detach", baseDir, values.base!]);
try {
  const head = (await sh("git", ["rev-parse", "--short", "HEAD"])).trim();
  const input = `${tmp}/in.csv`;
  const rows = await writeInput(input);
  const size = (await Deno.stat(input)).size;
  console.log(
    `# cold commit+checksum overhead: ${SYMBOLS} symbols × ${DAYS} days × 1-min = ${rows} rows ` +
      `(${(size / 1e6).toFixed(0)} MB CSV), ${RUNS} runs each, interleaved; this checkout (${head}) vs ` +
      `${values.base}; ${Deno.build.os}, deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores`,
  );
  const sides = { base: baseDir, new: HERE };
  // Warm both module caches (first runs compile TypeScript).
  for (const dir of Object.values(sides)) await timed(dir, ["--version"]);
  const times: Record<string, Record<string, { wall: number; cpu: number }[]>> = { base: {}, new: {} };
  const add = (side: string, what: string, t: { wall: number; cpu: number }) =>
    (times[side][what] ??= []).push(t);
  const mid = START + Math.floor(DAYS / 2) * DAY;
  const windows = {
    "dump 1 hour": ["--from", String(mid + 13 * 3_600_000), "--to", String(mid + 14 * 3_600_000 - 1)],
    "dump 1 day": ["--from", String(mid), "--to", String(mid + DAY - 1), "--columns", "ts,symbol,close"],
  };
  for (let i = 0; i < RUNS; i++) {
    for (const [side, dir] of i % 2 === 0 ? Object.entries(sides) : Object.entries(sides).reverse()) {
      const data = `${tmp}/${side}-${i}`;
      add(side, "write", await timed(dir, ["--data-dir", data, "cold", "write", "--input", input]));
      for (const [what, w] of Object.entries(windows)) {
        add(side, what, await timed(dir, ["--data-dir", data, "cold", "dump", ...w]));
      }
      await Deno.remove(data, { recursive: true });
    }
  }
  console.log(
    "\n| operation | wall before | wall after | wall after/before | CPU before | CPU after | CPU after/before |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const what of ["write", ...Object.keys(windows)]) {
    const m = (side: string, k: "wall" | "cpu") => median(times[side][what].map((t) => t[k]));
    const [bw, nw, bc, nc] = [m("base", "wall"), m("new", "wall"), m("base", "cpu"), m("new", "cpu")];
    console.log(
      `| ${what} | ${bw.toFixed(0)} ms | ${nw.toFixed(0)} ms | ${(nw / bw).toFixed(3)} | ${
        bc.toFixed(0)
      } ms | ` +
        `${nc.toFixed(0)} ms | ${(nc / bc).toFixed(3)} |`,
    );
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  console.log(`\nmedians of ${RUNS} runs; load average at the end: ${load}`);
  console.log(`all runs (ms): ${JSON.stringify(times)}`);
} finally {
  await sh("git", ["worktree", "remove", "--force", baseDir]).catch((e) => console.error(String(e)));
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
