/**
 * On-chain (DEX) volume as a capped augment of the VolumeResidual input (spec C2.3, issue 16: "optional
 * on-chain volume augments VolumeResidual only when robust"). Pure; point in time.
 *
 * - Shifted: only daily points with ts < asOf are looked at (a day stamped at asOf is not known before it).
 * - Robust: at least `minPoints` daily points (default 7) inside `windowDays` (default 14) before asOf, the
 *   newest no older than `maxAgeMs` (default 2 days); the DEX surge is ln(newest day ÷ MEDIAN of the earlier
 *   days) — a median, so one outlier day moves nothing; a non-positive or non-finite volume is dropped.
 * - Capped: the volume input moves toward the DEX surge by at most `cap` (default 10 %) of its own magnitude:
 *   `v + clamp(dexSurge − v, −cap·|v|, +cap·|v|)`. A zero input stays zero; no DEX data, no change.
 */
export interface DexVolumePoint {
  /** Start of the UTC day the volume is for, or when it was known (epoch ms). */
  ts: number;
  volumeUsd: number;
}

export interface OnchainVolumeOptions {
  minPoints?: number;
  windowDays?: number;
  maxAgeMs?: number;
  cap?: number;
}

export interface OnchainVolume {
  /** ln(newest day ÷ median of the earlier days). */
  dex_surge: number;
  points: number;
  /** The newest point used and its age at asOf. */
  ts: number;
  age_ms: number;
  source: string;
}

const DAY = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The DEX surge at asOf, or null when the history is not robust enough to use. */
export function onchainVolume(
  points: readonly DexVolumePoint[],
  asOf: number,
  source: string,
  o: OnchainVolumeOptions = {},
): OnchainVolume | null {
  const minPoints = o.minPoints ?? 7;
  const windowMs = (o.windowDays ?? 14) * DAY;
  const maxAge = o.maxAgeMs ?? 2 * DAY;
  const byTs = new Map<number, number>();
  for (const p of points) {
    if (!(p.ts < asOf) || p.ts < asOf - windowMs) continue;
    if (!Number.isFinite(p.volumeUsd) || !(p.volumeUsd > 0)) continue;
    byTs.set(p.ts, p.volumeUsd); // one value per time: the last given wins
  }
  const use = [...byTs.entries()].sort((a, b) => a[0] - b[0]);
  if (use.length < Math.max(2, minPoints)) return null;
  const [ts, newest] = use.at(-1)!;
  if (asOf - ts > maxAge) return null;
  const base = median(use.slice(0, -1).map(([, v]) => v));
  const dex = Math.log(newest / base);
  if (!Number.isFinite(dex)) return null;
  return { dex_surge: dex, points: use.length, ts, age_ms: asOf - ts, source };
}

/** The volume input moved toward the DEX surge by at most `cap`·|v| (v unchanged without a feature). */
export function augmentVolume(v: number, f: OnchainVolume | null, cap = 0.1): number {
  if (f === null || !Number.isFinite(v) || !Number.isFinite(f.dex_surge)) return v;
  const room = cap * Math.abs(v);
  return v + Math.min(room, Math.max(-room, f.dex_surge - v));
}
