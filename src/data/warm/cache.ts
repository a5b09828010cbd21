import { join } from "node:path";
import { z } from "zod";
import { dataConsistencyErrors } from "../../metrics/metrics.ts";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import { InputError, show } from "../../util/errors.ts";
import { sha256Hex } from "../../util/sha256_hex.ts";

/**
 * The warm tier's store: recent REST responses on disk, one file per request, so a restart keeps them.
 *
 * Key: (venue, endpoint, normalised params: keys sorted, values as text). File:
 * `<root>/<venue>/<endpoint>/<sha256(key)[0..32]>.entry`, written atomically (temp file + fsync + rename: a
 * crash leaves the old entry or the new one, never half of one). Contents: one header line of JSON
 * `{"v":1,"venue","endpoint","params","fetched_at","bytes","sha256"}`, then exactly `bytes` bytes of the
 * response body (JSON), whose SHA-256 the header carries.
 *
 * A read verifies everything — header schema, the key itself, the body's length, its checksum and that it is
 * JSON — and an entry that fails (truncated, bit-flipped, a foreign file at its path) is dropped (deleted),
 * counted (`corrupt()`, cryptorun_data_consistency_errors_total{check="warm_entry"}) and reported as
 * `corrupt`: never served. Other files under the root (the ingest poller's `<venue>/ohlc_since.json`, temp
 * files of an interrupted write) are never read as entries.
 */

export interface WarmKey {
  venue: string;
  endpoint: string;
  params: Record<string, string>;
}

export interface WarmEntry {
  key: WarmKey;
  /** When the response was received (epoch ms). */
  fetchedAt: number;
  body: unknown;
}

export type WarmLookup =
  | { status: "miss" }
  | { status: "corrupt"; reason: string }
  | { status: "ok"; entry: WarmEntry };

export interface WarmCache {
  readonly root: string;
  get(key: WarmKey): Promise<WarmLookup>;
  /** Stores a response (replacing the key's previous one). */
  put(key: WarmKey, body: unknown, fetchedAt: number): Promise<void>;
  /** Keys and fetch times of every readable entry of a venue (corrupt ones are dropped and counted). */
  list(venue: string, endpoint?: string): Promise<Array<{ key: WarmKey; fetchedAt: number }>>;
  /** Entries dropped as corrupt by this cache object. */
  corrupt(): number;
}

export interface WarmCacheDeps {
  /** The atomic writer (tests substitute one that is killed halfway). */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
}

const NAME_RE = /^[a-z0-9_]+$/;
const ENDPOINT_RE = /^[A-Za-z0-9_]+$/;

const Header = z.strictObject({
  v: z.literal(1),
  venue: z.string().regex(NAME_RE),
  endpoint: z.string().regex(ENDPOINT_RE),
  params: z.record(z.string(), z.string()),
  fetched_at: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The key with its params sorted by name (the same request always has the same key and file). */
export function normaliseKey(key: WarmKey): WarmKey {
  if (!NAME_RE.test(key.venue)) {
    throw new InputError(`warm key: venue: expected a name, found ${show(key.venue)}`);
  }
  if (!ENDPOINT_RE.test(key.endpoint)) {
    throw new InputError(`warm key: endpoint: expected a name, found ${show(key.endpoint)}`);
  }
  const params: Record<string, string> = {};
  for (const k of Object.keys(key.params).sort()) params[k] = String(key.params[k]);
  return { venue: key.venue, endpoint: key.endpoint, params };
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

const sameKey = (a: WarmKey, b: WarmKey) =>
  a.venue === b.venue && a.endpoint === b.endpoint && JSON.stringify(a.params) === JSON.stringify(b.params);

/** Parses and verifies one entry file; a string says why it is not a valid entry. */
async function decode(
  bytes: Uint8Array,
): Promise<{ key: WarmKey; fetchedAt: number; body: unknown } | string> {
  const nl = bytes.indexOf(10);
  if (nl < 0) return "no header line (truncated)";
  let header: z.infer<typeof Header>;
  try {
    const r = Header.safeParse(JSON.parse(dec.decode(bytes.subarray(0, nl))));
    if (!r.success) return `header: ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`;
    header = r.data;
  } catch {
    return "header is not JSON";
  }
  const body = bytes.subarray(nl + 1);
  if (body.length !== header.bytes) {
    return `body has ${body.length} bytes, header says ${header.bytes} (truncated)`;
  }
  if ((await sha256Hex(body)) !== header.sha256) return "body checksum mismatch";
  try {
    return {
      key: normaliseKey({ venue: header.venue, endpoint: header.endpoint, params: header.params }),
      fetchedAt: header.fetched_at,
      body: JSON.parse(dec.decode(body)),
    };
  } catch {
    return "body is not JSON";
  }
}

export function openWarmCache(root: string, deps: WarmCacheDeps = {}): WarmCache {
  const write = deps.writeFile ?? atomicWriteFile;
  let corrupt = 0;
  dataConsistencyErrors.inc({ check: "warm_entry" }, 0);

  const pathOf = async (key: WarmKey) => {
    const digest = await sha256Hex(enc.encode(JSON.stringify(key)));
    return join(root, key.venue, key.endpoint, `${digest.slice(0, 32)}.entry`);
  };

  /** Drops a bad entry (deleted, counted). */
  async function drop(path: string): Promise<void> {
    corrupt++;
    dataConsistencyErrors.inc({ check: "warm_entry" });
    await Deno.remove(path).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }

  async function readEntry(path: string): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  }

  return {
    root,
    async get(rawKey) {
      const key = normaliseKey(rawKey);
      const path = await pathOf(key);
      const bytes = await readEntry(path);
      if (!bytes) return { status: "miss" };
      const d = await decode(bytes);
      if (typeof d === "string" || !sameKey(d.key, key)) {
        await drop(path);
        return {
          status: "corrupt",
          reason: `${path}: ${typeof d === "string" ? d : "entry holds another request"}`,
        };
      }
      return { status: "ok", entry: { key, fetchedAt: d.fetchedAt, body: d.body } };
    },

    async put(rawKey, body, fetchedAt) {
      const key = normaliseKey(rawKey);
      if (!Number.isInteger(fetchedAt) || fetchedAt < 0) {
        throw new InputError(`warm entry: fetched_at: expected epoch ms, found ${show(fetchedAt)}`);
      }
      const bodyBytes = enc.encode(JSON.stringify(body));
      const header = JSON.stringify({
        v: 1,
        venue: key.venue,
        endpoint: key.endpoint,
        params: key.params,
        fetched_at: fetchedAt,
        bytes: bodyBytes.length,
        sha256: await sha256Hex(bodyBytes),
      });
      const headerBytes = enc.encode(header + "\n");
      const all = new Uint8Array(headerBytes.length + bodyBytes.length);
      all.set(headerBytes);
      all.set(bodyBytes, headerBytes.length);
      await write(await pathOf(key), all);
    },

    async list(venue, endpoint) {
      if (!NAME_RE.test(venue)) {
        throw new InputError(`warm cache: venue: expected a name, found ${show(venue)}`);
      }
      const out: Array<{ key: WarmKey; fetchedAt: number }> = [];
      const venueDir = join(root, venue);
      for (const ep of await dirs(venueDir)) {
        if (endpoint !== undefined && ep !== endpoint) continue;
        for await (const f of readDirOrEmpty(join(venueDir, ep))) {
          if (!f.isFile || !f.name.endsWith(".entry") || f.name.startsWith(".")) continue;
          const path = join(venueDir, ep, f.name);
          const bytes = await readEntry(path);
          if (!bytes) continue;
          const d = await decode(bytes);
          // A bad entry, or one not at its own key's path (a copied or renamed file): dropped.
          if (typeof d === "string" || path !== await pathOf(d.key)) {
            await drop(path);
            continue;
          }
          out.push({ key: d.key, fetchedAt: d.fetchedAt });
        }
      }
      return out;
    },

    corrupt: () => corrupt,
  };
}

async function* readDirOrEmpty(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    for await (const e of Deno.readDir(path)) yield e;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !(err instanceof Deno.errors.NotADirectory)) throw err;
  }
}

async function dirs(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readDirOrEmpty(path)) if (e.isDirectory && ENDPOINT_RE.test(e.name)) out.push(e.name);
  return out.sort();
}
