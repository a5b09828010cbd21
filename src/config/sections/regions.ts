import { z } from "zod";

/** A region name: lower-case identifier (a metric label value, so bounded and plain). */
const REGION_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** One region: its own Kraken endpoints (mirrors), so losing one region's network leaves the other's feed. */
export const RegionSpec = z.strictObject({
  name: z.string().regex(REGION_RE, "expected a lower-case region name like us or eu_west"),
  /** Kraken REST base URL in this region (bars are backfilled from here after a takeover). */
  rest_url: z.url(),
  /** Kraken WebSocket URL in this region. */
  ws_url: z.url().optional(),
});
export type RegionSpec = z.infer<typeof RegionSpec>;

/** A second location the cold tier is replicated to (`cryptorun cold replicate`; `serve` on a schedule). */
export const ReplicaSpec = z.strictObject({
  region: z.string().regex(REGION_RE, "expected a lower-case region name like eu"),
  /** A data directory (another disk, a mounted bucket): tables land at the same relative paths. */
  path: z.string().min(1),
});

/**
 * `regions:` in config/data_sources.yaml (issue 17, spec A3.1/A3.4; docs/DATA_MULTI_REGION.md). Bars are
 * ingested active-passive: the leader region writes; a follower takes over when the leader's feed has been
 * silent for `failover_after_s` and backfills the gap from its own REST endpoint. The cold tier is replicated
 * to `replicate_to` every `replicate_every_s` by `serve`.
 */
export const RegionsSection = z.strictObject({
  /** The regions, in failover order (empty: one region, the kraken.* endpoints). */
  list: z.array(RegionSpec).default([]),
  /** The region that writes first (default: the first of `list`). */
  leader: z.string().regex(REGION_RE).optional(),
  /** The leader's feed silent this long (s) → the next region takes over. */
  failover_after_s: z.number().positive().default(30),
  /** Bar-ingest lag SLO (s): what the writer lacks vs the freshest region, after a takeover and backfill. */
  lag_slo_s: z.number().positive().default(120),
  /** Cold replication lag SLO (s): newest bar in the source vs in each replica. */
  cold_lag_slo_s: z.number().positive().default(3600),
  /**
   * Hot tier active-active: two regions' books whose mids differ by more than this (bps), or crossed, disagree
   * — the answer is then only as fresh as the oldest of them (worst-feed-wins).
   */
  hot_disagree_bps: z.number().positive().default(25),
  replicate_to: z.array(ReplicaSpec).default([]),
  replicate_every_s: z.number().int().positive().default(300),
}).superRefine((r, ctx) => {
  const names = r.list.map((x) => x.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) {
      ctx.addIssue({ code: "custom", path: ["list", i, "name"], message: `region ${n} listed twice` });
    }
  });
  if (r.leader !== undefined && !names.includes(r.leader)) {
    ctx.addIssue({
      code: "custom",
      path: ["leader"],
      message: `leader ${JSON.stringify(r.leader)} is not in regions.list (${names.join(", ") || "empty"})`,
    });
  }
});
export type RegionsConfig = z.infer<typeof RegionsSection>;
