/**
 * The ports of the ingest use case (src/ingest/). Ingest is venue-free: a venue adapter under
 * src/providers/<venue>/ implements the venue side (a feed of its frames, a live session, closed bars over its
 * pull API, replay files), the tiers implement the sink side (src/ingest/tier_sinks.ts), and the wiring
 * (src/cli/commands/ingest.ts, src/serve/jobs.ts) picks both. Nothing in src/ingest/ imports a venue.
 */
import type { Logger } from "../log/logger.ts";
import type { BookSides } from "../market/microstructure.ts";
import type { OhlcvRow } from "../market/ohlcv.ts";
import type { BookCounters, MicrostructureSnapshot } from "../market/snapshot.ts";
import type { TradePrint } from "../market/trade.ts";

// ---- Where data goes ----------------------------------------------------------------------------------

/** Where verified book snapshots go (the hot tier). Resolves once they are stored. */
export type BookSink = (snaps: MicrostructureSnapshot[]) => Promise<void>;
/** Where trade prints go (the trades table). */
export type TradeSink = (trades: TradePrint[]) => Promise<void>;
/** Where closed bars go (a cold-tier table). */
export type BarSink = (bars: OhlcvRow[]) => Promise<void>;

/** The sinks of one ingest run; a missing sink means "not written" (dry run, persistence disabled…). */
export interface IngestSinks {
  hot?: BookSink;
  trades?: TradeSink;
  bars?: BarSink;
}

// ---- Where data comes from ------------------------------------------------------------------------------

/** Why a venue feed dropped a book (it waits for a fresh snapshot afterwards). */
export const RESYNC_REASONS = ["checksum", "crossed", "gap", "invalid"] as const;
export type ResyncReason = typeof RESYNC_REASONS[number];

/** What a venue feed reports to the pipeline. Symbols are normalised (BASE/QUOTE). */
export interface FeedEvents {
  /** A book became (or stayed) verified after a message at exchange time `ts` (ms; undefined: no time). */
  onBook(symbol: string, ts: number | undefined): void;
  onTrades(symbol: string, trades: TradePrint[]): void;
  /** The book was dropped; `venueSymbol` is the venue's own name for resubscribing. */
  onResync(symbol: string, venueSymbol: string, reason: ResyncReason): void;
}

/** Per-symbol book counters a feed keeps (the hot-tier snapshot carries the first three). */
export type FeedCounters = BookCounters & { book_messages: number };

/**
 * A venue's frame handler: raw frames in (live or replayed, one code path), verified books and trades out
 * through `FeedEvents`.
 */
export interface VenueFeed {
  /** Handles one frame's text; `recvMs` stamps messages without an exchange time. Throws on a bad frame. */
  handleFrame(text: string, recvMs?: number): unknown;
  /** The verified book of a symbol (best levels first), or undefined. */
  verifiedBook(symbol: string): BookSides | undefined;
  stats: ReadonlyMap<string, FeedCounters>;
  /** Frames handled. */
  messages(): number;
  /** Every book needs a new snapshot (after a reconnect). */
  resetAll(): void;
}

/** Creates a venue feed reporting to `events` (one per pipeline). */
export type FeedFactory<F extends VenueFeed = VenueFeed> = (events: FeedEvents) => F;

/** What a live connection reports when it stops. */
export interface ConnectionCounters {
  /** Connection attempts. */
  connections: number;
  /** Attempts whose socket opened (0: the venue was never reached). */
  opened: number;
  /** The last socket error or close code, for "never connected" messages. */
  lastError?: string;
}

/** A venue's live connection, as `runLiveIngest` drives it. */
export interface LiveConnection {
  /** Streams until the signal given to `connect` aborts, reconnecting by itself; resolves with its counters. */
  run(): Promise<ConnectionCounters>;
  /** Asks the venue for a fresh snapshot of one book (after the feed dropped it). */
  resync(venueSymbol: string): void;
}

/** A venue that streams books and trades (WebSocket); `F` is its feed type. */
export interface LiveVenue<F extends VenueFeed = VenueFeed> {
  /** Lower-case venue name (hot-tier directory, metric label, trades' venue column). */
  readonly venue: string;
  /** The venue's feed for this session's frames. */
  feed: FeedFactory<F>;
  /** Subscribed book depth (for the logs). */
  readonly depth?: number;
  /** Opens a connection over `symbols` that hands every frame to `feed` (and to `onFrame`, for recording). */
  connect(o: {
    symbols: string[];
    /** The feed `feed` made (wrapped by the pipeline: its `resetAll` also restarts the bar coverage). */
    feed: F;
    signal: AbortSignal;
    log: Logger;
    onFrame?: (text: string, recvMs: number) => void;
  }): LiveConnection;
  /** One received frame as a line of a replayable recording. */
  recordLine(text: string, recvMs: number): string;
}

/** A frame of a replay file. */
export interface ReplayFrame {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** Receive time recorded with the frame, when the file has one. */
  recvMs?: number;
  /** Bytes of the file read up to the end of this frame's line (progress). */
  end: number;
}

/** A venue's recordings, replayed through the same feed as live data. */
export interface ReplayVenue<F extends VenueFeed = VenueFeed> {
  readonly venue: string;
  feed: FeedFactory<F>;
  /**
   * Checks every frame of the file without applying anything (throws InputError `FILE:LINE: …` at the first
   * bad one); the number of frames, or undefined when `signal` aborted.
   */
  checkFile(
    path: string,
    opts: { signal?: AbortSignal; onProgress?: (bytes: number) => void },
  ): Promise<number | undefined>;
  frames(path: string, signal?: AbortSignal): AsyncIterable<ReplayFrame>;
  /** True for the errors `feed.handleFrame` throws on a frame the venue would not send. */
  isBadFrame(err: unknown): err is Error;
}

/** A venue's instrument id for a symbol, or why it has none. */
export type Instrument = { id: string } | { error: string };

/** A venue's history of closed bars over its pull (REST) API, as the ingest poller needs it. */
export interface BarVenue {
  readonly venue: string;
  /** Bar length in ms; every bar opens on a multiple of it. */
  readonly barMs: number;
  /**
   * The venue's instrument per symbol (the adapter caches its instrument list and refreshes it after a
   * symbol it does not list or a lookup failure). Rejects when the list cannot be had at all.
   */
  instruments(symbols: string[], signal: AbortSignal): Promise<Map<string, Instrument>>;
  /**
   * Closed bars of one instrument that opened after `since` (all when null) and ended by `now`, oldest
   * first, with `symbol` set — never a still-forming bar (PIT). Rejects on a venue or protocol error.
   */
  closedBars(
    instrument: string,
    symbol: string,
    since: number | null,
    now: number,
    signal: AbortSignal,
  ): Promise<OhlcvRow[]>;
}
