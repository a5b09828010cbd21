import { FACTOR_ORDER } from "../factors/composite.ts";
import { formatAge } from "../health/freshness.ts";
import { isoMs } from "../util/time.ts";
import type { FeedInfo, ScanOutput, ScanRow } from "./engine.ts";

/** Rounds for output: `digits` decimals, no "-0", null for NaN/∞. */
export function round(x: number | null, digits = 2): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const k = 10 ** digits;
  const r = Math.round(x * k) / k;
  return r === 0 ? 0 : r;
}

/** Where a row's feeds came from: per feed the data door's answer, and the oldest feed (worst feed wins). */
function dataJson(row: ScanRow) {
  if (!row.data) return {};
  const feed = (f: FeedInfo | undefined) =>
    f ? { served_by: f.served_by, age_ms: f.age_ms, stale: f.stale, chain: f.chain } : null;
  return {
    data: {
      bars: feed(row.data.bars),
      book: feed(row.data.book),
      oldest_feed: {
        feed: row.oldest_feed.feed,
        age_ms: Math.round(row.oldest_feed.age_ms),
        fresh: row.oldest_feed.fresh,
      },
    },
  };
}

/** The JSON of one result (the `results[]` element of `scan --json`, and each envelope's payload). */
export function resultJson(row: ScanRow) {
  return {
    rank: row.rank,
    symbol: row.symbol,
    venue: row.venue,
    quote: row.quote,
    score: round(row.score),
    contributions: Object.fromEntries(FACTOR_ORDER.map((f) => [f, round(row.contributions[f])])),
    gates: row.gates.map((g) => ({
      name: g.name,
      pass: g.pass,
      status: g.status,
      required: g.required,
      value: round(g.value, 4),
      threshold: round(g.threshold, 4),
      reason: g.reason,
    })),
    passed: row.passed,
    premove: {
      gate_a: row.premove.gate_a,
      gate_b: row.premove.gate_b,
      gate_c: row.premove.gate_c,
      score: round(row.premove.score),
      passed: row.premove.passed,
      reason: row.premove.reason,
    },
    ...dataJson(row),
  };
}

/**
 * The compact data badge of a table row (DOMAIN.md §7's [Fresh ●/○] [Sources]): ● when the oldest feed is
 * within gates.freshness_max_bars and no feed was served stale, else ○; then the tier that served the bars /
 * the book (– for none).
 */
export function dataBadge(row: ScanRow): string {
  const d = row.data;
  const fresh = row.oldest_feed.fresh && !Object.values(d ?? {}).some((f) => f.stale);
  const tier = (f: FeedInfo | undefined) => f?.served_by?.tier ?? "–";
  return `${fresh ? "●" : "○"} ${tier(d?.bars)}/${tier(d?.book)}`;
}

export interface RenderMeta {
  notes: string[];
  top: number;
}

/** `scan --json`: one object. */
export function scanJson(out: ScanOutput, meta: RenderMeta) {
  return {
    as_of: isoMs(out.asOf),
    regime: out.regime.name,
    regime_at: isoMs(out.regime.boundary),
    regime_inputs: {
      realized_vol_7d: round(out.regime.inputs.realized_vol_7d, 4),
      pct_above_20ma: round(out.regime.inputs.pct_above_20ma, 4),
      breadth_thrust: round(out.regime.inputs.breadth_thrust, 4),
    },
    weights: Object.fromEntries(Object.entries(out.regime.weights).map(([k, v]) => [k, round(v, 4)])),
    results: out.results.slice(0, meta.top).map(resultJson),
    ranked: out.results.length,
    passed: out.results.filter((r) => r.passed).length,
    skipped: out.skipped,
    notes: meta.notes,
  };
}

const f2 = (x: number | null) => (x === null || !Number.isFinite(x) ? "n/a" : x.toFixed(2));
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

/** The human table: one line per result with the gates that block it, then each distinct unknown reason. */
export function scanTable(out: ScanOutput, meta: RenderMeta): string[] {
  const lines: string[] = [];
  const w = out.regime.weights;
  lines.push(
    `as of ${isoMs(out.asOf)}  regime ${out.regime.name} (decided ${
      isoMs(out.regime.boundary)
    }: ${out.regime.decision.reason})`,
  );
  lines.push(
    `weights momentum ${f2(w.momentum)} technical ${f2(w.technical)} volume ${f2(w.volume)} quality ${
      f2(w.quality)
    } + social (≤ +10, after)`,
  );
  for (const n of meta.notes) lines.push(`note: ${n}`);
  lines.push("");
  const rows = out.results.slice(0, meta.top);
  const symW = Math.max(6, ...rows.map((r) => r.symbol.length));
  const venW = Math.max(5, ...rows.map((r) => r.venue.length));
  const badges = rows.map(dataBadge);
  const datW = Math.max(4, ...badges.map((b) => b.length));
  lines.push(
    `${"rank".padStart(4)}  ${"symbol".padEnd(symW)}  ${"venue".padEnd(venW)}  ${"data".padEnd(datW)}  ${
      "score".padStart(6)
    }  ${"mom".padStart(5)} ${"tech".padStart(5)} ${"vol".padStart(5)} ${"qual".padStart(5)} ${
      "soc".padStart(4)
    }  ${"gates".padStart(5)}  ` +
      `entry  blocked by (--explain SYMBOL for every reason)`,
  );
  for (const [i, r] of rows.entries()) {
    const req = r.gates.filter((g) => g.required);
    const ok = req.filter((g) => g.pass).length;
    const fails = req.filter((g) => g.status === "fail").map((g) => g.name);
    const unknowns = req.filter((g) => g.status === "unknown").map((g) => g.name);
    const blocked = [
      fails.length ? `fail: ${fails.join(",")}` : "",
      unknowns.length ? `unknown: ${unknowns.join(",")}` : "",
    ].filter(Boolean).join("; ");
    const c = r.contributions;
    lines.push(
      `${String(r.rank).padStart(4)}  ${r.symbol.padEnd(symW)}  ${r.venue.padEnd(venW)}  ${
        badges[i].padEnd(datW)
      }  ${f2(r.score).padStart(6)}  ${f1(c.momentum).padStart(5)} ${f1(c.technical).padStart(5)} ${
        f1(c.volume).padStart(5)
      } ${f1(c.quality).padStart(5)} ${f1(c.social).padStart(4)}  ${`${ok}/${req.length}`.padStart(5)}  ${
        r.passed ? "PASS " : "FAIL "
      }  ${blocked || "all required gates pass"}`,
    );
    // The failed gates' reasons, with their numbers (unknown ones are summarised once below the table).
    const reasons = req.filter((g) => g.status === "fail").map((g) => g.reason);
    if (reasons.length) lines.push(`${" ".repeat(6)}└ ${reasons.join(" · ")}`);
  }
  const passed = out.results.filter((r) => r.passed).length;
  lines.push("");
  lines.push(
    `${out.results.length} ranked, ${passed} passed every required gate${
      out.results.length > rows.length ? `; showing top ${rows.length}` : ""
    }. Details: cryptorun scan --explain SYMBOL`,
  );
  // Each distinct "unknown" reason once (e.g. no verified books for hourly-bars-only symbols).
  const why = new Map<string, number>();
  for (const r of rows) {
    for (const g of r.gates) {
      if (g.status !== "unknown" || !g.required) continue;
      const key = `${g.name}: ${g.reason.replace(r.symbol, "<symbol>")}`;
      why.set(key, (why.get(key) ?? 0) + 1);
    }
  }
  for (const [reason, n] of why) lines.push(`unknown ${reason} (${n} of the rows shown)`);
  if (rows.some((r) => r.data)) {
    lines.push(
      `data: ● fresh (oldest feed ≤ freshness_max_bars, nothing served stale) / ○ not; then the tier that served ` +
        `bars/book (– none). Sources and ages: --explain SYMBOL or --json`,
    );
  }
  for (const s of out.skipped) lines.push(`skipped ${s.symbol} (${s.venue}): ${s.reason}`);
  return lines;
}

/** A row's derivatives inputs for --explain (venue, source, when known, age, and whether they were used). */
function derivsJson(row: ScanRow) {
  return (row.derivs ?? []).map(({ features: f, used }) => ({
    venue: f.venue,
    source: f.source,
    known_at: isoMs(f.ts),
    age_ms: f.age_ms,
    used,
    funding: {
      relative: f.funding_relative,
      interval_h: f.funding_interval_h,
      per_hour: f.funding_per_hour,
      annualized: f.funding_annualized,
      z: round(f.funding_z, 4),
      periods: f.funding_periods,
    },
    open_interest: {
      value: f.open_interest,
      unit: f.open_interest_unit,
      change_1h: round(f.oi_change_1h, 6),
    },
    basis: {
      value: f.basis,
      annualized: f.basis_annualized,
      known_at: f.basis_ts === null ? null : isoMs(f.basis_ts),
    },
  }));
}

const sci = (x: number | null, d = 3) => x === null ? "n/a" : x === 0 ? "0" : x.toExponential(d);
const pct = (x: number | null, d = 4) => x === null ? "n/a" : `${(x * 100).toFixed(d)}%`;

/** `--explain SYMBOL`: every input, factor step, gate and the premove verdict of one symbol. */
export function explainJson(out: ScanOutput, row: ScanRow) {
  const fx = row.factors;
  const r4 = (x: number | null) => round(x, 4);
  return {
    as_of: isoMs(out.asOf),
    regime: {
      name: out.regime.name,
      decided_at: isoMs(out.regime.boundary),
      votes: out.regime.decision.votes.map((v) => ({ ...v, value: r4(v.value) })),
      weights: Object.fromEntries(Object.entries(out.regime.weights).map(([k, v]) => [k, r4(v)])),
    },
    result: resultJson(row),
    last_bar: isoMs(fx.last_bar_ts),
    inputs: {
      returns_pct: Object.fromEntries(Object.entries(fx.returns_pct).map(([k, v]) => [k, r4(v)])),
      accel4h_pp: r4(fx.accel4h),
      rsi4h: r4(fx.rsi4h),
      adx1h: r4(fx.adx),
      hurst: r4(fx.hurst),
      atr1h: r4(fx.atr),
      vadr: r4(fx.vadr),
      notional_24h: round(fx.notional_24h, 0),
    },
    factors: FACTOR_ORDER.map((f) => ({
      factor: f,
      raw: r4(fx.raw[f]),
      orthogonalized: r4(fx.orthogonal[f]),
      points: r4(row.points[f]),
      contribution: r4(row.contributions[f]),
    })),
    steps: row.steps.map((s) => ({ after: s.factor, score: r4(s.score) })),
    premove: row.premove,
    derivs: derivsJson(row),
    onchain_volume: row.onchain_volume
      ? {
        source: row.onchain_volume.feature.source,
        known_at: isoMs(row.onchain_volume.feature.ts),
        age_ms: row.onchain_volume.feature.age_ms,
        points: row.onchain_volume.feature.points,
        dex_surge: r4(row.onchain_volume.feature.dex_surge),
        volume_input_before: r4(row.onchain_volume.before),
        volume_input_after: r4(row.onchain_volume.after),
      }
      : null,
  };
}

export function explainText(out: ScanOutput, row: ScanRow): string[] {
  const e = explainJson(out, row);
  const L: string[] = [];
  L.push(
    `${row.symbol} (${row.venue}, quote ${row.quote}) as of ${e.as_of} — rank ${row.rank}, score ${
      f2(row.score)
    }, ${row.passed ? "PASSES every required gate" : "does NOT pass"}`,
  );
  L.push(`last closed bar opened ${e.last_bar}`);
  if (row.data) {
    const feed = (name: string, f: FeedInfo | undefined) => {
      if (!f?.served_by) {
        return `${name} none${f?.chain.length ? ` (${f.chain.join(", ")})` : ""}`;
      }
      return `${name} ← ${f.served_by.source} (${f.served_by.tier}), ${formatAge(f.age_ms ?? 0)} old${
        f.stale ? ", STALE" : ""
      }${f.chain.length ? ` after ${f.chain.join(", ")}` : ""}`;
    };
    L.push(`data: ${feed("bars", row.data.bars)}; ${feed("book", row.data.book)}`);
    L.push(
      `oldest feed: ${row.oldest_feed.feed}, ${
        formatAge(row.oldest_feed.age_ms)
      } old (the freshness guard's age)`,
    );
  }
  if (e.derivs.length === 0) {
    L.push(
      `derivs: none stored at or before as-of for ${row.symbol} (derivs.scan_venues; cryptorun ingest --venue krakenfutures)`,
    );
  }
  if (e.onchain_volume) {
    const o = e.onchain_volume;
    L.push(
      `onchain volume ← ${o.source}, known ${o.known_at} (${
        formatAge(o.age_ms)
      } old, ${o.points} daily points): ` +
        `DEX surge ${o.dex_surge}; volume input ${o.volume_input_before} → ${o.volume_input_after} (capped ±10 %)`,
    );
  }
  for (const d of e.derivs) {
    L.push(
      `derivs ${d.venue} ← ${d.source}, known ${d.known_at} (${formatAge(d.age_ms)} old${
        d.used ? "" : ", older than derivs.max_age_ms: shown, not used"
      }):`,
    );
    const f = d.funding;
    L.push(
      `  funding ${sci(f.relative)} per ${f.interval_h ?? "?"}h interval = ${sci(f.per_hour)}/h = ${
        pct(f.annualized, 2)
      } annualised; z ${f.z ?? `n/a (${f.periods} periods, need ${"lookback + 1"})`}`,
    );
    L.push(
      `  open interest ${d.open_interest.value ?? "n/a"} ${d.open_interest.unit ?? ""}, ΔOI 1h ${
        d.open_interest.change_1h ?? "n/a"
      }; basis ${pct(d.basis.value)} (mark vs index${d.basis.known_at ? `, ${d.basis.known_at}` : ""}${
        d.basis.annualized === null ? "" : `, ${pct(d.basis.annualized, 2)} annualised`
      })`,
    );
  }
  L.push(`regime ${e.regime.name} (decided ${e.regime.decided_at}):`);
  for (const v of e.regime.votes) L.push(`  ${v.input} ${v.value ?? "n/a"} vs ${v.threshold} → ${v.vote}`);
  L.push(`inputs: ${JSON.stringify(e.inputs)}`);
  L.push(`factors (Gram–Schmidt order; momentum protected):`);
  L.push(
    `  ${"factor".padEnd(10)} ${"raw".padStart(10)} ${"orthog.".padStart(10)} ${"points".padStart(8)} ${
      "contrib".padStart(8)
    }`,
  );
  for (const f of e.factors) {
    L.push(
      `  ${f.factor.padEnd(10)} ${String(f.raw ?? "n/a").padStart(10)} ${
        String(f.orthogonalized ?? "n/a").padStart(10)
      } ${String(f.points ?? "n/a").padStart(8)} ${String(f.contribution ?? "n/a").padStart(8)}`,
    );
  }
  L.push(`score steps: ${e.steps.map((s) => `${s.after} ${s.score}`).join(" → ")}`);
  L.push(`gates:`);
  for (const g of row.gates) {
    L.push(
      `  ${g.status.toUpperCase().padEnd(7)} ${g.name.padEnd(10)} ${
        g.required ? "" : "(informational) "
      }${g.reason}`,
    );
  }
  L.push(
    `premove: ${row.premove.reason}; score ${row.premove.score === null ? "n/a" : f2(row.premove.score)} ` +
      `(coverage ${Math.round(row.premove.coverage * 100)}% of the gate weight)`,
  );
  return L;
}
