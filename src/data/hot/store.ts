import { join } from "node:path";
import { InputError, show } from "../../util/errors.ts";
import { utcDay } from "../../util/time.ts";
import { MicrostructureSnapshot } from "../../market/snapshot.ts";
import { issueText } from "../../util/zod_issue.ts";

/**
 * The hot tier of verified order-book microstructure (one venue at a time, never blended).
 *
 * Layout: `<data-dir>/<hot_path>/microstructure/<venue>/<YYYY-MM-DD>/<BASE>-<QUOTE>.jsonl`, one snapshot per
 * line, appended (one `write` per batch, O_APPEND). A reader ignores a final line without its newline (a
 * write cut short by a crash), so a half-written line is never read; any other bad line is an InputError
 * naming the file and line. Only verified books are ever written (the schema requires `verified: true`).
 */

export interface HotStoreOptions {
  /** tiers.hot_path (default "hot"); relative to the data dir unless absolute. */
  hotPath?: string;
}

function venueDir(dataDir: string, venue: string, opts: HotStoreOptions): string {
  if (!/^[a-z0-9_-]+$/.test(venue)) {
    throw new InputError(`venue: expected a lowercase name, found ${show(venue)}`);
  }
  const hot = opts.hotPath ?? "hot";
  return join(hot.startsWith("/") ? hot : join(dataDir, hot), "microstructure", venue);
}

const fileOf = (symbol: string) => symbol.replace("/", "-") + ".jsonl";
const symbolOf = (file: string) => file.slice(0, -".jsonl".length).replace("-", "/");

/** Validates and appends one verified snapshot. */
export async function writeMicrostructure(
  dataDir: string,
  venue: string,
  snap: MicrostructureSnapshot,
  opts: HotStoreOptions = {},
): Promise<void> {
  await writeMicrostructureBatch(dataDir, venue, [snap], opts);
}

/** Validates every snapshot first (nothing is written if one is bad), then appends per file. */
export async function writeMicrostructureBatch(
  dataDir: string,
  venue: string,
  snaps: readonly MicrostructureSnapshot[],
  opts: HotStoreOptions = {},
): Promise<void> {
  const dir = venueDir(dataDir, venue, opts);
  const byFile = new Map<string, string[]>();
  for (const [i, s] of snaps.entries()) {
    const r = MicrostructureSnapshot.safeParse(s);
    if (!r.success) {
      throw new InputError(`microstructure snapshot #${i}: ${issueText(r.error, s)}`);
    }
    if (r.data.venue !== venue) {
      throw new InputError(
        `microstructure snapshot #${i}: venue: expected ${show(venue)}, found ${show(r.data.venue)}`,
      );
    }
    const path = join(dir, utcDay(r.data.ts), fileOf(r.data.symbol));
    const lines = byFile.get(path) ?? [];
    lines.push(JSON.stringify(r.data));
    byFile.set(path, lines);
  }
  const enc = new TextEncoder();
  for (const [path, lines] of byFile) {
    await Deno.mkdir(join(path, ".."), { recursive: true });
    const f = await Deno.open(path, { append: true, create: true });
    try {
      const bytes = enc.encode(lines.join("\n") + "\n");
      let off = 0;
      while (off < bytes.length) off += await f.write(bytes.subarray(off));
    } finally {
      f.close();
    }
  }
}

async function listDir(path: string): Promise<Deno.DirEntry[]> {
  try {
    const out: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(path)) out.push(e);
    return out;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/**
 * Point-in-time read: per symbol, the latest snapshot with ts ≤ asOf (nothing later is ever returned).
 * `symbols` limits the result. An empty map when the venue has no data.
 */
export async function readMicrostructure(
  dataDir: string,
  venue: string,
  asOf: number,
  opts: HotStoreOptions & { symbols?: readonly string[] } = {},
): Promise<Map<string, MicrostructureSnapshot>> {
  const dir = venueDir(dataDir, venue, opts);
  const want = opts.symbols ? new Set(opts.symbols) : undefined;
  const lastDay = utcDay(asOf);
  const days = (await listDir(dir))
    .filter((e) => e.isDirectory && /^\d{4}-\d{2}-\d{2}$/.test(e.name) && e.name <= lastDay)
    .map((e) => e.name)
    .sort()
    .reverse();
  const found = new Map<string, MicrostructureSnapshot>();
  for (const day of days) {
    const files = (await listDir(join(dir, day))).filter((e) => e.isFile && e.name.endsWith(".jsonl"));
    for (const f of files) {
      const symbol = symbolOf(f.name);
      if (found.has(symbol) || (want && !want.has(symbol))) continue;
      const best = await latestInFile(join(dir, day, f.name), asOf);
      if (best) found.set(symbol, best);
    }
    if (want && found.size === want.size) break;
  }
  return found;
}

async function latestInFile(path: string, asOf: number): Promise<MicrostructureSnapshot | undefined> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  // The last element is "" after a complete final line; anything else is a write cut short: ignored.
  lines.pop();
  let best: MicrostructureSnapshot | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(lines[i]);
    } catch {
      throw new InputError(`${path}:${i + 1}: not a JSON object: ${show(lines[i])}`);
    }
    const r = MicrostructureSnapshot.safeParse(obj);
    if (!r.success) {
      throw new InputError(`${path}:${i + 1}: ${issueText(r.error, obj)}`);
    }
    if (r.data.ts <= asOf && (!best || r.data.ts >= best.ts)) best = r.data;
  }
  return best;
}
