import { z } from "zod";
import { InputError, show } from "../util/errors.ts";
import { issueParts } from "../util/zod_issue.ts";
import { checkTime } from "../util/time.ts";

/** One hourly OHLCV row (the cold tier's OhlcvRow shape). */
export const BarRow = z.object({
  ts: z.number().int(),
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/),
  open: z.number().positive(),
  high: z.number().positive(),
  low: z.number().positive(),
  close: z.number().positive(),
  volume: z.number().min(0),
});
export type BarRow = z.infer<typeof BarRow>;

/** A shipped fixture file: which venue's bars it holds and which cold-tier table they go to. */
export interface FixtureFile {
  venue: string;
  table: string;
  url: URL;
}

const DIR = new URL("../../fixtures/ohlcv/", import.meta.url);

/** The real hourly bars shipped in fixtures/ohlcv (README.md there names the sources). */
export const FIXTURE_FILES: FixtureFile[] = [
  { venue: "kraken", table: "ohlcv", url: new URL("kraken_usd_1h.csv.gz", DIR) },
  { venue: "binance", table: "ohlcv_binance", url: new URL("binance_usdt_1h.csv.gz", DIR) },
];

const HEADER = "ts_ms,symbol,open,high,low,close,volume";

/**
 * Parses a `ts_ms,symbol,open,high,low,close,volume` CSV (gzip when the name ends in .gz). Bad rows are an
 * InputError naming file, line, field and value — nothing is half-loaded.
 */
export async function readBarsCsv(url: URL | string): Promise<BarRow[]> {
  const path = url instanceof URL ? url.pathname : url;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(url);
  } catch (err) {
    throw new InputError(`${path}: cannot read fixture (${(err as Error).name})`);
  }
  let text: string;
  if (path.endsWith(".gz")) {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    text = await new Response(stream).text();
  } else {
    text = new TextDecoder().decode(bytes);
  }
  return parseBarsCsv(text, path);
}

const FIELDS = ["ts", "symbol", "open", "high", "low", "close", "volume"] as const;

/** A numeric cell: an empty one is NaN (rejected), never Number("") = 0. */
const cell = (s: string) => (s.trim() === "" ? NaN : Number(s));

export function parseBarsCsv(text: string, path: string): BarRow[] {
  const lines = text.split("\n");
  if (lines[0].trim() !== HEADER) {
    throw new InputError(`${path}:1: header: expected ${HEADER}, found ${show(lines[0].trim())}`);
  }
  const rows: BarRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const cells = line.split(",");
    if (cells.length !== 7) {
      throw new InputError(`${path}:${i + 1}: expected 7 fields, found ${cells.length}: ${show(line)}`);
    }
    const t = checkTime(cells[0]);
    if (!t.ok) throw new InputError(`${path}:${i + 1}: ts: ${t.reason}, found ${show(cells[0])}`);
    const row = {
      ts: t.ms,
      symbol: cells[1],
      open: cell(cells[2]),
      high: cell(cells[3]),
      low: cell(cells[4]),
      close: cell(cells[5]),
      volume: cell(cells[6]),
    };
    const r = BarRow.safeParse(row);
    if (!r.success) {
      // The value as written in the file (a cell), not as parsed.
      const p = issueParts(r.error.issues[0], row);
      const idx = FIELDS.indexOf(p.field as typeof FIELDS[number]);
      throw new InputError(
        `${path}:${i + 1}: ${p.field}: ${p.reason}, found ${show(idx >= 0 ? cells[idx] : line)}`,
      );
    }
    if (row.high < Math.max(row.open, row.close) || row.low > Math.min(row.open, row.close)) {
      throw new InputError(
        `${path}:${i + 1}: high/low: bar range does not contain open/close: ${show(line)}`,
      );
    }
    rows.push(r.data);
  }
  return rows;
}
