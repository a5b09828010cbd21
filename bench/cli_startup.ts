/**
 * CLI start-up benchmark (issue #21): fresh processes, as a user runs them. Each round runs, in turn, an
 * empty script (Deno's own start-up), `cryptorun --help`, and `cryptorun cold dump` of a 1-hour window
 * (all symbols, all columns, Parquet zstd) — for this checkout and, with `--compare DIR`, another one (e.g.
 * an older commit unpacked with `git archive <commit> | tar -x -C DIR`) on the SAME data directory.
 * Rounds interleave the commands so machine load hits them alike; the report gives medians and ratios to
 * the empty script measured in the same run. Every command's output is checked (exit 0, same row count).
 * Where GNU time is installed (/usr/bin/time) each process's CPU time (user + system) and peak RSS are
 * reported too: CPU time moves far less than wall time when other work shares the cores.
 *
 *   deno run -A bench/cli_startup.ts [--compare /tmp/base] [--rounds 15] [--symbols 50] [--days 3]
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { ColdSection } from "../src/config/sections/cold.ts";
import { openColdStore } from "../src/data/cold/store.ts";
import { syntheticBars } from "../tests/data/cold/synthetic.ts";

const { values } = parseArgs({
  options: {
    compare: { type: "string" },
    rounds: { type: "string", default: "15" },
    symbols: { type: "string", default: "50" },
    days: { type: "string", default: "3" },
  },
});
const ROOT = new URL("../", import.meta.url).pathname;
const START = Date.parse("2025-09-01T00:00:00Z");
const DAY = 86_400_000;
const PERMS = ["--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-sys"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const GNU_TIME = await Deno.stat("/usr/bin/time").then(() => "/usr/bin/time", () => undefined);

async function timed(
  args: string[],
  cwd: string,
): Promise<{ ms: number; lines: number; cpuMs?: number; rssMb?: number }> {
  const t0 = performance.now();
  const [cmd, full] = GNU_TIME
    ? [GNU_TIME, ["-f", "__time %U %S %M", Deno.execPath(), ...args]]
    : [Deno.execPath(), args];
  const out = await new Deno.Command(cmd, { args: full, cwd, stdout: "piped", stderr: "piped" }).output();
  const ms = performance.now() - t0;
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${args.join(" ")}: exit ${out.code}: ${stderr}`);
  const t = /__time ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  return {
    ms,
    lines: new TextDecoder().decode(out.stdout).trimEnd().split("\n").length,
    ...(t ? { cpuMs: (Number(t[1]) + Number(t[2])) * 1000, rssMb: Number(t[3]) / 1024 } : {}),
  };
}

const symbols = Number(values.symbols);
const days = Number(values.days);
const dataDir = await Deno.makeTempDir({ prefix: "cryptorun-cli-bench-" });
try {
  const cold = ColdSection.parse({ parquet_compression: "zstd" });
  const rows = syntheticBars({
    start: START,
    end: START + days * DAY,
    stepMs: 60_000,
    symbols: Array.from({ length: symbols }, (_, i) => `C${String(i).padStart(3, "0")}/USD`),
  });
  const w = await openColdStore(cold, dataDir).write(cold.parquet_schema.table, rows);
  const empty = join(dataDir, "empty.ts");
  await Deno.writeTextFile(empty, "\n");
  const from = new Date(START + DAY + 12 * 3_600_000).toISOString();
  const to = new Date(START + DAY + 13 * 3_600_000 - 1).toISOString();
  const checkouts = [["this", ROOT], ...(values.compare ? [["compare", values.compare]] : [])];
  const cmds: Array<{ name: string; args: string[]; cwd: string; expectLines?: number }> = [
    { name: "deno run (empty script)", args: ["run", empty], cwd: ROOT },
  ];
  for (const [label, dir] of checkouts) {
    const main = join(dir, "main.ts");
    cmds.push({ name: `${label}: cryptorun --help`, args: ["run", ...PERMS, main, "--help"], cwd: dir });
    cmds.push({
      name: `${label}: cold dump 1 h (${symbols} symbols, all columns)`,
      args: ["run", ...PERMS, main, "--data-dir", dataDir, "cold", "dump", "--from", from, "--to", to],
      cwd: dir,
      expectLines: 1 + 60 * symbols,
    });
  }
  // Warm-up: module caches, page cache.
  for (const c of cmds) await timed(c.args, c.cwd);
  const times = cmds.map(() => [] as number[]);
  const cpu = cmds.map(() => [] as number[]);
  const rss = cmds.map(() => [] as number[]);
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const [i, c] of cmds.entries()) {
      const { ms, lines, cpuMs, rssMb } = await timed(c.args, c.cwd);
      if (c.expectLines !== undefined && lines !== c.expectLines) {
        throw new Error(`${c.name}: ${lines} lines, expected ${c.expectLines}`);
      }
      times[i].push(ms);
      if (cpuMs !== undefined) cpu[i].push(cpuMs);
      if (rssMb !== undefined) rss[i].push(rssMb);
    }
  }
  const base = median(times[0]);
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`${w.rows} rows written; ${values.rounds} interleaved rounds; load average after: ${load}\n`);
  const withCpu = cpu[0].length > 0;
  console.log(
    "| command | median ms | min ms | median − empty script ms | × empty script |" +
      (withCpu ? " median CPU ms | min CPU ms | median peak RSS MB |" : ""),
  );
  console.log("| --- | --- | --- | --- | --- |" + (withCpu ? " --- | --- | --- |" : ""));
  for (const [i, c] of cmds.entries()) {
    const m = median(times[i]);
    console.log(
      `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...times[i]).toFixed(0)} | ${(m - base).toFixed(0)} | ${
        (m / base).toFixed(2)
      } |` +
        (withCpu
          ? ` ${median(cpu[i]).toFixed(0)} | ${Math.min(...cpu[i]).toFixed(0)} | ${
            median(rss[i]).toFixed(0)
          } |`
          : ""),
    );
  }
} finally {
  await Deno.remove(dataDir, { recursive: true });
}
