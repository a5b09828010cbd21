/**
 * The HTTP load generator of the `serve` target, in its own process (it must not share the server's event
 * loop): npm:autocannon's API, the endpoints interleaved round by round so each sees the same machine load,
 * one process for all of them (no start-up per run). The server's CPU per phase comes from /proc/PID/stat.
 *
 *   deno run -A tests/load/http_load.ts PLAN_JSON
 *   PLAN_JSON = {"pid":N,"seconds":S,"rounds":R,"warmup":URL,"endpoints":[{"name","url","connections"}]}
 *
 * Prints one JSON line: {name: [{requests, rps, p50, p99, max, errors, non2xx, bytes, seconds, cpuMs}]}.
 */
// deno-lint-ignore no-import-prefix -- dev-only load generator, by full specifier (house rule)
import autocannon from "npm:autocannon@7.15.0";

interface Plan {
  pid: number;
  seconds: number;
  rounds: number;
  warmup?: string;
  endpoints: Array<{ name: string; url: string; connections: number }>;
}
const plan: Plan = JSON.parse(Deno.args[0]);

function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

// deno-lint-ignore no-explicit-any -- autocannon ships no types for Deno
const run = (url: string, connections: number, duration: number): Promise<any> =>
  // deno-lint-ignore no-explicit-any
  (autocannon as any)({ url, connections, duration });

if (plan.warmup) await run(plan.warmup, 1, 1);
const out: Record<string, unknown[]> = {};
for (let r = 0; r < plan.rounds; r++) {
  for (const e of plan.endpoints) {
    const before = cpuMs(plan.pid);
    const res = await run(e.url, e.connections, plan.seconds);
    (out[e.name] ??= []).push({
      requests: res.requests.total,
      rps: res.requests.total / res.duration,
      p50: res.latency.p50,
      p99: res.latency.p99,
      max: res.latency.max,
      errors: res.errors + res.timeouts,
      non2xx: res.non2xx,
      bytes: res.throughput.total,
      seconds: res.duration,
      cpuMs: cpuMs(plan.pid) - before,
    });
  }
}
console.log(JSON.stringify(out));
