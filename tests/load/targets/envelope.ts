/**
 * The envelope checksum path in process: building envelopes (`makeEnvelope`: payload text, timestamp, BLAKE3
 * over utf8(payload)||ts||symbol||source, hex) against the raw BLAKE3 of exactly the same bytes
 * (`checksumInput` + @noble/hashes), interleaved rounds. `inject.envelope_us` adds that many µs of busy work
 * per envelope inside the measured loop: the deliberate slowdown that shows the regression gate failing.
 */
import process from "node:process";
import { blake3 } from "@noble/hashes/blake3.js";
import { checksumInput, makeEnvelope } from "../../../src/stream/envelope.ts";
import { median, relSpread } from "../lib/stats.ts";
import { fmt, type TargetOptions, type TargetResult } from "../lib/target.ts";

/** Busy work for `us` µs of wall time (CPU time when the process is not descheduled meanwhile). */
function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* busy */ }
}

export function envelopeTarget(o: TargetOptions): Promise<TargetResult> {
  const n = o.sample ? 5_000 : 50_000;
  const rounds = o.sample ? 7 : 9;
  const slow = o.inject.envelope_us ?? 0;
  const T0 = Date.UTC(2025, 8, 1);
  const payloads = Array.from({ length: n }, (_, i) => ({
    table: "ohlcv",
    ts: T0 + i * 60_000,
    symbol: "BTC/USD",
    open: 42000.5 + i,
    high: 42100.25,
    low: 41950.75,
    close: 42050.5,
    volume: 12.345678,
  }));
  const built = payloads.map((p) =>
    makeEnvelope({ ts: p.ts, symbol: p.symbol, source: "cold:ohlcv", payload: p })
  );
  const ours: number[] = [];
  const raw: number[] = [];
  let sink = 0;
  // Fine interleaving: each chunk of CHUNK envelopes is timed on both sides back to back, so both see the
  // same machine load (other work on shared cores changes on a scale of milliseconds to seconds); and the
  // time is the process's CPU time (getrusage), not wall time, so time spent descheduled counts for neither.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const CHUNK = 250;
  for (let r = 0; r < rounds + 1; r++) {
    let a = 0;
    let b = 0;
    for (let c = 0; c < n; c += CHUNK) {
      const end = Math.min(n, c + CHUNK);
      let t = cpu();
      for (let i = c; i < end; i++) {
        const p = payloads[i];
        sink +=
          makeEnvelope({ ts: p.ts, symbol: p.symbol, source: "cold:ohlcv", payload: p }).checksum.length;
        if (slow > 0) spin(slow);
      }
      a += cpu() - t;
      t = cpu();
      for (let i = c; i < end; i++) sink += blake3(checksumInput(built[i]))[0];
      b += cpu() - t;
    }
    if (r > 0) { // round 0 warms up the JIT
      ours.push(a);
      raw.push(b);
    }
  }
  const ratios = ours.map((a, i) => a / raw[i]);
  const bytes = built.reduce((s, e) => s + checksumInput(e).length, 0);
  return Promise.resolve({
    target: "envelope",
    title: `${
      fmt(n, 0)
    } OHLCV envelopes per round, ${rounds} interleaved rounds after a warm-up, one process${
      slow ? ` — INJECTED ${slow} µs per envelope` : ""
    }`,
    columns: ["what", "per CPU second", "median CPU ms per round", "MB/s hashed"],
    rows: [
      [
        "makeEnvelope (JSON + ts + BLAKE3 + hex)",
        fmt(n / (median(ours) / 1000), 0),
        fmt(median(ours), 1),
        fmt(bytes / (median(ours) / 1000) / 1e6, 1),
      ],
      [
        "raw BLAKE3 of the same bytes (reference)",
        fmt(n / (median(raw) / 1000), 0),
        fmt(median(raw), 1),
        fmt(bytes / (median(raw) / 1000) / 1e6, 1),
      ],
    ],
    figures: {
      "envelope.build_vs_raw_blake3": {
        value: median(ratios),
        spread: relSpread(ratios),
        kind: "ratio",
        unit: "×",
        better: "lower",
        reference:
          "raw BLAKE3 (@noble/hashes) of the same checksum bytes, same process, interleaved chunks, CPU time",
      },
    },
    notes: sink > 0 ? [] : ["(no output)"],
  });
}
