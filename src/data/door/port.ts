/**
 * The port of the data door (src/data/door/door.ts): what a source of one data kind implements. A source is
 * one place a kind of data can come from — the hot tier's verified books, a warm REST cache, a cold table, the
 * database — and knows nothing of the others: authority, fall-through, staleness, PIT clamping, ages and hit
 * ratios are the door's.
 */

export type Tier = "hot" | "warm" | "cold";

/** Every row the door serves has an epoch-ms time (bar open, book/quote time, trade time). */
export interface Timed {
  ts: number;
}

/** One read as a source sees it. */
export interface SourceRead {
  venue: string;
  symbols: readonly string[];
  /** Inclusive window. A non-live read must return nothing with ts > `to`. */
  from: number;
  to: number;
  /**
   * A read of the latest data ("as of now"): the source may refresh itself (the warm tier fetches) and may
   * return data up to its own clock; the door then fixes the read's `to` after every source answered.
   */
  live: boolean;
  /** The door's clock at the start of the read. */
  now: number;
  signal?: AbortSignal;
}

/** A source's answer for one symbol. */
export interface SourceHit<Row extends Timed> {
  /** Rows in [from, to], ascending by ts (books, quotes: the latest one). */
  rows: Row[];
  /**
   * When the source observed the data: a book's exchange time, a warm entry's fetch time, a cold table's
   * newest row. The door calls the answer stale when `to − observedAt` exceeds the source's `maxAgeMs`.
   */
  observedAt: number;
  /** Warm: served from a stored entry without fetching (counts as a cache hit). Default true. */
  cached?: boolean;
}

/** Nothing usable for one symbol; `reason` goes into the fall-through chain (`miss`, `failed:…`, `corrupt`). */
export interface SourceMiss {
  miss: string;
}

export type SourceResult<Row extends Timed> = SourceHit<Row> | SourceMiss;

/** What a source holds for one symbol (health, the scan's universe, the stream publisher's symbol list). */
export interface InventoryEntry<Row extends Timed> {
  /** Newest data time with ts ≤ the asked as-of (PIT). */
  newestTs: number;
  oldestTs?: number;
  rows?: number;
  /** Missing bar intervals (cold bars). */
  gaps?: number;
  /** The newest row itself, when the source has it at hand (hot books). */
  latest?: Row;
}

export interface DoorSource<Row extends Timed> {
  /** `<tier>:<name>` as configured in `tiers.authority` (e.g. `hot:kraken_ws`). */
  readonly id: string;
  readonly tier: Tier;
  /** An answer observed longer than this before the read's end is stale; null = never stale. */
  readonly maxAgeMs: number | null;
  /** Whether this source has data of `venue` at all (a miss otherwise, never asked). */
  covers(venue: string): boolean;
  read(req: SourceRead): Promise<Map<string, SourceResult<Row>>>;
  /** Per symbol what the source holds as of `asOf`; absent when the source cannot list itself. */
  inventory?(venue: string, asOf: number, signal?: AbortSignal): Promise<Map<string, InventoryEntry<Row>>>;
  /** Releases what the source opened. */
  close?(): Promise<void>;
}

export const isMiss = <Row extends Timed>(r: SourceResult<Row>): r is SourceMiss => "miss" in r;
