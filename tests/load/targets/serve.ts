/**
 * `serve` under load, on loopback: the real server stack in its own process (tests/load/serve_harness.ts)
 * with 10 k metric series; npm:autocannon (its own process) on /metrics, /readyz and, as the reference,
 * /healthz of the same server, interleaved round by round; 100 SSE clients (tests/load/sse_clients.ts, its
 * own process) on /events, against a bare fan-out of the same bytes in the same server process. Server CPU
 * and peak RSS come from its /proc entries.
 */
import { procIo, procSample } from "../lib/proc.ts";
import { median, relSpread } from "../lib/stats.ts";
import { type Figure, fmt, type TargetOptions, type TargetResult } from "../lib/target.ts";

const HERE = new URL("../", import.meta.url).pathname;

/** One autocannon run (tests/load/http_load.ts). */
interface HttpLoad {
  requests: number;
  rps: number;
  /** Latency percentiles in ms (autocannon's HDR histogram, whole milliseconds). */
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** Response bytes received. */
  bytes: number;
  seconds: number;
}

interface Phase {
  load: HttpLoad;
  cpuMs: number;
}

async function readLine(r: ReadableStreamDefaultReader<string>, buf: { s: string }): Promise<string> {
  while (!buf.s.includes("\n")) {
    const { value, done } = await r.read();
    if (done) throw new Error(`stream ended before a line (so far: ${JSON.stringify(buf.s.slice(0, 200))})`);
    buf.s += value;
  }
  const i = buf.s.indexOf("\n");
  const line = buf.s.slice(0, i);
  buf.s = buf.s.slice(i + 1);
  return line;
}

export async function serveTarget(o: TargetOptions): Promise<TargetResult> {
  const rounds = o.sample ? 3 : 5;
  const seconds = o.sample ? 0.75 : 4;
  const series = 10_000;
  const sseClients = 100;
  const sseEvents = o.sample ? 100 : 500;
  const dataDir = `${o.dir}/serve-data`;
  await Deno.mkdir(dataDir, { recursive: true });

  const harness = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}serve_harness.ts`, dataDir, String(series)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = harness.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const buf = { s: "" };
  const stdin = harness.stdin.getWriter();
  const send = (line: string) => stdin.write(new TextEncoder().encode(line + "\n"));
  try {
    const { url, bare } = JSON.parse(await readLine(out, buf));
    const pid = harness.pid;
    const ioBefore = procIo(pid);
    o.log(`serve: ${rounds} rounds of /healthz, /metrics, /readyz, ${seconds} s each`);
    const endpoints = [
      { name: "healthz", url: `${url}/healthz`, connections: 1 },
      { name: "metrics", url: `${url}/metrics`, connections: 1 },
      { name: "readyz", url: `${url}/readyz`, connections: 1 },
      ...(o.sample ? [] : [{ name: "metrics4", url: `${url}/metrics`, connections: 4 }]),
    ];
    const gen = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${HERE}http_load.ts`,
        JSON.stringify({ pid, seconds, rounds, warmup: `${url}/metrics`, endpoints }),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!gen.success) throw new Error(`http_load.ts exited ${gen.code}`);
    const raw = JSON.parse(new TextDecoder().decode(gen.stdout)) as Record<
      string,
      Array<HttpLoad & { cpuMs: number }>
    >;
    const phases: Record<string, Phase[]> = { metrics4: [] };
    for (const [k, v] of Object.entries(raw)) phases[k] = v.map((x) => ({ load: x, cpuMs: x.cpuMs }));

    // /events: 100 clients, the same events through our hub and through the bare fan-out, interleaved.
    const sse: Record<"ours" | "bare", Array<{ ms: number; lost: number; outOfOrder: number }>> = {
      ours: [],
      bare: [],
    };
    const clients = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${HERE}sse_clients.ts`,
        String(sseClients),
        String(sseEvents),
        `${url}/events`,
        bare,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const cout = clients.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const cbuf = { s: "" };
    o.log(`serve: ${sseClients} SSE clients on /events and on the bare fan-out`);
    const ready = await readLine(cout, cbuf);
    if (ready !== "ready") throw new Error(`sse clients: expected "ready", got ${JSON.stringify(ready)}`);
    // One unmeasured batch each first (JIT warm-up of both fan-outs).
    for (const which of ["ours", "bare"] as const) {
      await send(`publish ${which} ${sseEvents} 1024`);
      await readLine(out, buf);
      await readLine(cout, cbuf);
    }
    for (let r = 0; r < rounds; r++) {
      for (const which of ["ours", "bare"] as const) {
        o.log(`serve: /events round ${r + 1}/${rounds}: ${which}`);
        await send(`publish ${which} ${sseEvents} 1024`);
        const t0 = Number((await readLine(out, buf)).split(" ")[1]);
        const res = JSON.parse(await readLine(cout, cbuf));
        sse[which].push({ ms: res.last_ms - t0, lost: res.lost, outOfOrder: res.out_of_order });
      }
    }
    await clients.stdin.close();
    await clients.status;
    const ioAfter = procIo(pid);
    const peak = procSample(pid).peakRssMb;
    await send("quit");
    await stdin.close();
    const st = await harness.status;
    if (!st.success) throw new Error(`serve harness exited ${st.code}`);

    // Server CPU per request, relative to /healthz's in the same round.
    const cost = (name: string) => {
      const per = (p: Phase) => p.cpuMs / p.load.requests;
      const ratios = phases[name].map((p, i) => per(p) / per(phases.healthz[i]));
      const rps = phases[name].map((p, i) => phases.healthz[i].load.rps / p.load.rps);
      o.log(
        `serve: ${name}: CPU/request ratios ${ratios.map((x) => x.toFixed(1)).join(" ")}; req/s ratios ${
          rps.map((x) => x.toFixed(1)).join(" ")
        }`,
      );
      return { value: median(ratios), spread: relSpread(ratios) };
    };
    const sseRatios = sse.ours.map((x, i) => x.ms / sse.bare[i].ms);
    const figures: Record<string, Figure> = {
      "serve.metrics_10k.cost_vs_healthz": {
        ...cost("metrics"),
        kind: "ratio",
        unit: "×",
        better: "lower",
        reference: "/healthz of the same server: server CPU per request, 1 connection, interleaved rounds",
      },
      "serve.readyz.cost_vs_healthz": {
        ...cost("readyz"),
        kind: "ratio",
        unit: "×",
        better: "lower",
        reference: "/healthz of the same server: server CPU per request, 1 connection, interleaved rounds",
      },
      "serve.events_100.delivery_vs_bare": {
        value: median(sseRatios),
        spread: relSpread(sseRatios),
        kind: "ratio",
        unit: "×",
        better: "lower",
        reference: "a bare SSE fan-out of the same bytes to the same 100 clients in the same server process",
      },
      "serve.events_100.lost": {
        value: sse.ours.reduce((s, x) => s + x.lost + x.outOfOrder, 0),
        kind: "quality",
        unit: "events",
        better: "lower",
      },
      "serve.http.errors": {
        value: Object.values(phases).flat().reduce((s, p) => s + p.load.errors + p.load.non2xx, 0),
        kind: "quality",
        unit: "requests",
        better: "lower",
      },
    };
    const httpRow = (label: string, ps: Phase[]) => {
      const m = (f: (p: Phase) => number) => median(ps.map(f));
      return [
        label,
        fmt(m((p) => p.load.rps), 1),
        fmt(m((p) => p.load.p50), 1),
        fmt(m((p) => p.load.p99), 1),
        fmt(m((p) => p.cpuMs / p.load.requests), 3),
        fmt(m((p) => p.load.bytes / p.load.seconds / 1e6), 1),
        ps.reduce((s, p) => s + p.load.errors + p.load.non2xx, 0),
      ];
    };
    const sseRow = (label: string, xs: typeof sse.ours) => [
      label,
      fmt((sseEvents * sseClients) / (median(xs.map((x) => x.ms)) / 1000), 0),
      `${fmt(median(xs.map((x) => x.ms)), 0)} ms for all`,
      "",
      "",
      fmt((sseEvents * sseClients * 1.1) / (median(xs.map((x) => x.ms)) / 1000) / 1000, 1),
      xs.reduce((s, x) => s + x.lost, 0),
    ];
    return {
      target: "serve",
      title: `loopback, ${
        series.toLocaleString("en-US")
      } series, autocannon ${seconds} s per endpoint × ${rounds} interleaved rounds; /events: ${sseClients} clients × ${sseEvents} events of 1 KiB`,
      columns: [
        "endpoint",
        "req/s (events/s)",
        "p50 ms",
        "p99 ms",
        "server CPU ms/req",
        "MB/s out",
        "errors (lost)",
      ],
      rows: [
        httpRow("/healthz (reference), 1 conn", phases.healthz),
        httpRow("/metrics 10 k series, 1 conn", phases.metrics),
        ...(phases.metrics4.length ? [httpRow("/metrics 10 k series, 4 conn", phases.metrics4)] : []),
        httpRow("/readyz, 1 conn", phases.readyz),
        sseRow("/events, 100 clients", sse.ours),
        sseRow("bare fan-out (reference)", sse.bare),
      ],
      figures,
      notes: [
        `server process: peak RSS ${fmt(peak, 0)} MB; file I/O during the run: read ${
          fmt((ioAfter.read - ioBefore.read) / 1e6, 1)
        } MB, wrote ${
          fmt((ioAfter.written - ioBefore.written) / 1e6, 1)
        } MB (socket bytes are the MB/s column)`,
        "autocannon measures latency in whole milliseconds: /healthz and /readyz answer in under 1 ms",
      ],
    };
  } finally {
    try {
      harness.kill("SIGTERM");
    } catch { /* already gone */ }
  }
}
