import type { ColumnChunk, DataReader, Encoding, FileMetaData } from "hyparquet";
import type { PageLocation } from "hyparquet/src/types.js";
// hyparquet by module: its package entry re-exports a Node file reader that loads node:fs (~10–30 ms).
import { readOffsetIndex } from "hyparquet/src/indexes.js";
import { parquetHeader } from "hyparquet/src/column.js";
import { decompressPage } from "hyparquet/src/datapage.js";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { readPlain } from "hyparquet/src/plain.js";
import { DATA_PAGE_DECOMPRESSORS, HYPARQUET_CODECS, PAGE_DECOMPRESSORS } from "./parquet_decompressors.ts";
import type { PositionalFile } from "./positional_file.ts";
import { loadLz4 } from "./lz4_codec.ts";

/**
 * Decodes a row span of one flat column chunk straight into a typed array — the cold tier's hot read path.
 * hyparquet parses the page headers, decompresses and reads PLAIN values; this module only adds what its
 * generic row assembly costs per value (JS arrays, definition levels re-materialised for every optional
 * column, BigInt → Date): dictionary indices and definition levels go into typed arrays, and values land in a
 * `Float64Array` (INT64 as epoch numbers, DOUBLE with null → NaN) or a `string[]` (BYTE_ARRAY). With the
 * offset index only the pages holding the asked rows (plus the dictionary page) are fetched and decoded.
 */

/** Encodings this decoder handles (what parquet-rs, DuckDB, Spark write by default for our types). */
const FAST_ENCODINGS: ReadonlySet<Encoding> = new Set<Encoding>([
  "PLAIN",
  "PLAIN_DICTIONARY",
  "RLE_DICTIONARY",
  "RLE",
]);

/** Column physical types this decoder handles. */
const FAST_TYPES = new Set(["INT64", "DOUBLE", "BYTE_ARRAY"]);

/** True when every chunk of `columns` in these row groups can take the fast path (codec, encodings, type). */
export function fastPathDecodes(
  md: FileMetaData,
  groups: readonly number[],
  columns: readonly number[],
): boolean {
  return groups.every((g) =>
    columns.every((c) => {
      const m = md.row_groups[g]?.columns[c]?.meta_data;
      return m !== undefined && m.path_in_schema.length === 1 && FAST_TYPES.has(m.type) &&
        HYPARQUET_CODECS.has(m.codec) && m.encodings.every((e) => FAST_ENCODINGS.has(e));
    })
  );
}

export type DecodedColumn = Float64Array | string[];

/** Page locations of the given chunks, from one positional read spanning their offset indexes. */
export async function readPageLocations(
  file: PositionalFile,
  chunks: readonly ColumnChunk[],
): Promise<(PageLocation[] | undefined)[]> {
  const withIndex = chunks.filter((c) => c.offset_index_offset !== undefined && c.offset_index_length);
  if (withIndex.length === 0) return chunks.map(() => undefined);
  const start = Math.min(...withIndex.map((c) => Number(c.offset_index_offset)));
  const end = Math.max(...withIndex.map((c) => Number(c.offset_index_offset) + c.offset_index_length!));
  if (end - start > 4 * 1024 * 1024) return chunks.map(() => undefined); // scattered: not worth one read
  const bytes = await file.readAt(start, end);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return chunks.map((c) => {
    if (c.offset_index_offset === undefined || !c.offset_index_length) return undefined;
    const at = Number(c.offset_index_offset) - start;
    return readOffsetIndex({
      view: new DataView(view.buffer, view.byteOffset + at, c.offset_index_length),
      offset: 0,
    })
      .page_locations;
  });
}

interface ColumnSpec {
  type: "INT64" | "DOUBLE" | "BYTE_ARRAY";
  /** OPTIONAL column: pages carry definition levels (max level 1). */
  optional: boolean;
}

/**
 * Rows [lo, hi) (relative to the row group) of one column chunk. `pages`: its offset index when the file
 * has one (then only the overlapping pages are read), else undefined (the whole chunk is read; pages before
 * `lo` are skipped without being decompressed).
 */
export async function readColumnSpan(
  file: PositionalFile,
  chunk: ColumnChunk,
  col: ColumnSpec,
  lo: number,
  hi: number,
  pages: PageLocation[] | undefined,
): Promise<DecodedColumn> {
  const m = chunk.meta_data!;
  const dataStart = Number(m.data_page_offset);
  const dictOffset = m.dictionary_page_offset !== undefined ? Number(m.dictionary_page_offset) : undefined;
  const chunkStart = dictOffset !== undefined && dictOffset > 0 && dictOffset < dataStart
    ? dictOffset
    : dataStart;
  const chunkEnd = chunkStart + Number(m.total_compressed_size);
  const buffers: { bytes: Uint8Array; firstRow: number }[] = [];
  if (pages && pages.length > 0) {
    let a = 0;
    while (a + 1 < pages.length && Number(pages[a + 1].first_row_index) <= lo) a++;
    let b = a;
    while (b + 1 < pages.length && Number(pages[b + 1].first_row_index) < hi) b++;
    const from = Number(pages[a].offset);
    const to = Number(pages[b].offset) + pages[b].compressed_page_size;
    const firstRow = Number(pages[a].first_row_index);
    const dictEnd = Number(pages[0].offset);
    if (chunkStart < dictEnd && from - dictEnd > 64 * 1024) {
      // dictionary page and the data pages apart: two reads
      const [dict, data] = await Promise.all([file.readAt(chunkStart, dictEnd), file.readAt(from, to)]);
      buffers.push({ bytes: dict, firstRow: 0 }, { bytes: data, firstRow });
    } else if (chunkStart < dictEnd) {
      const all = await file.readAt(chunkStart, to);
      buffers.push({ bytes: all.subarray(0, dictEnd - chunkStart), firstRow: 0 });
      buffers.push({ bytes: all.subarray(from - chunkStart), firstRow });
    } else {
      buffers.push({ bytes: await file.readAt(from, to), firstRow });
    }
  } else {
    buffers.push({ bytes: await file.readAt(chunkStart, chunkEnd), firstRow: 0 });
  }
  if (m.codec === "LZ4_RAW") await loadLz4(); // the page decompressor is synchronous
  return decodeSpan(buffers, m.codec, col, lo, hi);
}

const utf8 = new TextDecoder();

function decodeSpan(
  buffers: { bytes: Uint8Array; firstRow: number }[],
  codec: ColumnChunk["meta_data"] extends infer T ? T extends { codec: infer C } ? C : never : never,
  col: ColumnSpec,
  lo: number,
  hi: number,
): DecodedColumn {
  const n = hi - lo;
  const out: DecodedColumn = col.type === "BYTE_ARRAY" ? new Array<string>(n) : new Float64Array(n);
  let dict: DecodedColumn | undefined;
  let filled = 0;
  for (const buf of buffers) {
    const reader: DataReader = {
      view: new DataView(buf.bytes.buffer, buf.bytes.byteOffset, buf.bytes.byteLength),
      offset: 0,
    };
    let row = buf.firstRow;
    while (reader.offset < buf.bytes.byteLength && row < hi) {
      const header = parquetHeader(reader);
      const body = buf.bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      if (header.type === "DICTIONARY_PAGE") {
        const page = decompressPage(body, header.uncompressed_page_size, codec, PAGE_DECOMPRESSORS);
        const count = header.dictionary_page_header!.num_values;
        dict = toValues(readPlain(pageReader(page), col.type, count, undefined), col.type);
        continue;
      }
      let rows: number;
      let encoding: Encoding;
      let defs: Uint8Array | undefined;
      let present: number;
      let values: Uint8Array;
      if (header.type === "DATA_PAGE") {
        const h = header.data_page_header!;
        rows = h.num_values;
        present = rows;
        encoding = h.encoding;
        if (row + rows <= lo) {
          row += rows; // before the span: never decompressed
          continue;
        }
        // Its values are copied out below, before the next page: the decompressor may reuse its buffer.
        const page = decompressPage(body, header.uncompressed_page_size, codec, DATA_PAGE_DECOMPRESSORS);
        const r = pageReader(page);
        if (col.optional) {
          defs = new Uint8Array(rows);
          const len = r.view.getUint32(0, true); // v1: 4-byte length prefix
          present = readHybrid(page, 4, 4 + len, 1, defs, rows);
          r.offset = 4 + len;
        }
        values = page.subarray(r.offset);
      } else if (header.type === "DATA_PAGE_V2") {
        const h = header.data_page_header_v2!;
        rows = h.num_rows;
        present = rows;
        encoding = h.encoding;
        if (row + rows <= lo) {
          row += rows;
          continue;
        }
        const levels = h.repetition_levels_byte_length + h.definition_levels_byte_length;
        if (col.optional) {
          defs = new Uint8Array(rows);
          const at = h.repetition_levels_byte_length;
          present = readHybrid(body, at, at + h.definition_levels_byte_length, 1, defs, rows);
        }
        const rest = body.subarray(levels);
        values = h.is_compressed === false
          ? rest
          : decompressPage(rest, header.uncompressed_page_size - levels, codec, DATA_PAGE_DECOMPRESSORS);
      } else {
        continue; // index pages: nothing to decode
      }
      if (defs && present === rows) defs = undefined;
      // Rows [a, b) of this page land at out[o …].
      const a = Math.max(lo, row) - row;
      const b = Math.min(hi, row + rows) - row;
      const o = row + a - lo;
      const vr = pageReader(values);
      if (encoding === "PLAIN_DICTIONARY" || encoding === "RLE_DICTIONARY") {
        if (!dict) throw new Error("dictionary-encoded page without a dictionary page");
        const width = vr.view.getUint8(vr.offset++);
        if (!defs && width > 0 && width <= 24) {
          // One pass: indices → values, RLE runs as native fills (dict and out are both numbers or both strings).
          readHybridDict(
            values,
            vr.offset,
            values.byteLength,
            width,
            dict as string[],
            out as string[],
            o - a,
            a,
            b,
          );
        } else {
          const indices = new Int32Array(present);
          if (width > 24) readRleBitPackedHybrid(vr, width, indices, values.byteLength - vr.offset);
          else if (width > 0) readHybrid(values, vr.offset, values.byteLength, width, indices, present);
          copySpan(out, dict, indices, defs, a, b, o);
        }
      } else if (encoding === "PLAIN") {
        const decoded = toValues(readPlain(vr, col.type, present, undefined), col.type);
        if (defs) copySpan(out, decoded, undefined, defs, a, b, o);
        else if (out instanceof Float64Array) out.set((decoded as Float64Array).subarray(a, b), o);
        else for (let i = a; i < b; i++) out[o + i - a] = (decoded as string[])[i];
      } else {
        throw new Error(`unsupported page encoding ${encoding}`);
      }
      filled += b - a;
      row += rows;
    }
  }
  if (filled !== n) throw new Error(`column chunk holds ${filled} of the ${n} rows asked`);
  return out;
}

/**
 * Rows [a, b) of a page into out[o …]: values are src[indices[k]] (dictionary) or src[k] (plain), k counting
 * only non-null rows; a null row (defs[i] = 0) is NaN for numbers, "" for strings.
 */
function copySpan(
  out: DecodedColumn,
  src: DecodedColumn,
  indices: Int32Array | undefined,
  defs: Uint8Array | undefined,
  a: number,
  b: number,
  o: number,
): void {
  let v = 0;
  if (defs) { for (let i = 0; i < a; i++) v += defs[i]; }
  else v = a;
  const nil = out instanceof Float64Array ? NaN : "";
  for (let i = a; i < b; i++) {
    if (defs && !defs[i]) out[o++] = nil;
    else out[o++] = src[indices ? indices[v++] : v++];
  }
}

/**
 * Dictionary-encoded values without nulls, straight to their values: value #i (i in [a, b)) of the
 * RLE/bit-packed index stream in bytes[pos, end) becomes out[base + i] = dict[index].
 */
function readHybridDict<T>(
  bytes: Uint8Array,
  pos: number,
  end: number,
  width: number,
  dict: ArrayLike<T>,
  out: { [i: number]: T; fill(value: T, start: number, end: number): unknown },
  base: number,
  a: number,
  b: number,
): void {
  const mask = (1 << width) - 1;
  const size = dict.length;
  let seen = 0;
  while (seen < b) {
    if (pos >= end) throw new Error(`RLE/bit-packed data ends after ${seen} of ${b} values`);
    let header = 0;
    let shift = 0;
    let c: number;
    do {
      c = bytes[pos++];
      header += (c & 0x7f) * 2 ** shift;
      shift += 7;
    } while (c & 0x80);
    if (header & 1) {
      const stop = pos + Math.floor(header / 2) * width;
      if (stop > end) throw new Error(`RLE/bit-packed data ends inside a run after ${seen} values`);
      const last = Math.min(seen + Math.floor(header / 2) * 8, b);
      let acc = 0;
      let bits = 0;
      let p = pos;
      for (; seen < last; seen++) {
        while (bits < width) {
          acc |= bytes[p++] << bits;
          bits += 8;
        }
        const k = acc & mask;
        if (k >= size) throw new Error(`dictionary index ${k} out of range (${size} entries)`);
        if (seen >= a) out[base + seen] = dict[k];
        acc >>>= width;
        bits -= width;
      }
      pos = stop;
    } else {
      const count = Math.floor(header / 2);
      let v = 0;
      if (pos + ((width + 7) >> 3) > end) {
        throw new Error(`RLE/bit-packed data ends inside a run after ${seen} values`);
      }
      for (let i = 0; i < width; i += 8) v |= bytes[pos++] << i;
      const s = Math.max(seen, a);
      const e = Math.min(seen + count, b);
      if (v >= size) throw new Error(`dictionary index ${v} out of range (${size} entries)`);
      if (s < e) out.fill(dict[v], base + s, base + e);
      seen += count;
    }
  }
}

/**
 * Decodes `n` values of the RLE/bit-packed hybrid encoding (bit width 1..24) from bytes[pos, end) into
 * `out`; returns their sum (for definition levels: the number of non-null rows). RLE runs become a native
 * `fill`; bit-packed runs are unpacked with a 32-bit accumulator.
 */
export function readHybrid(
  bytes: Uint8Array,
  pos: number,
  end: number,
  width: number,
  out: Int32Array | Uint8Array,
  n: number,
): number {
  const mask = (1 << width) - 1;
  const valueBytes = (width + 7) >> 3;
  let seen = 0;
  let sum = 0;
  while (seen < n) {
    if (pos >= end) throw new Error(`RLE/bit-packed data ends after ${seen} of ${n} values`);
    let header = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[pos++];
      header += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (header & 1) {
      const groups = Math.floor(header / 2);
      const stop = pos + groups * width;
      if (stop > end) throw new Error(`RLE/bit-packed data ends inside a run after ${seen} of ${n} values`);
      const count = Math.min(groups * 8, n - seen);
      let acc = 0;
      let bits = 0;
      let p = pos;
      for (let k = 0; k < count; k++) {
        while (bits < width) {
          acc |= bytes[p++] << bits;
          bits += 8;
        }
        const v = acc & mask;
        out[seen++] = v;
        sum += v;
        acc >>>= width;
        bits -= width;
      }
      pos = stop;
    } else {
      const count = Math.min(Math.floor(header / 2), n - seen);
      let v = 0;
      if (pos + valueBytes > end) {
        throw new Error(`RLE/bit-packed data ends inside a run after ${seen} of ${n} values`);
      }
      for (let i = 0; i < valueBytes; i++) v |= bytes[pos++] << (8 * i);
      out.fill(v, seen, seen + count);
      seen += count;
      sum += v * count;
    }
  }
  return sum;
}

function pageReader(page: Uint8Array): DataReader {
  return { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
}

/** PLAIN values as the output representation: INT64 → epoch numbers, DOUBLE as is, BYTE_ARRAY → strings. */
function toValues(v: ArrayLike<unknown>, type: ColumnSpec["type"]): DecodedColumn {
  if (type === "BYTE_ARRAY") {
    const bytes = v as ArrayLike<Uint8Array>;
    const out = new Array<string>(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = utf8.decode(bytes[i]);
    return out;
  }
  if (v instanceof Float64Array) return v;
  const n = v.length;
  const out = new Float64Array(n);
  if (v instanceof BigInt64Array) {
    // Two 32-bit halves per value: no BigInt is materialised per row (exact below 2^53).
    const w = new Int32Array(v.buffer, v.byteOffset, n * 2);
    for (let i = 0; i < n; i++) out[i] = w[2 * i + 1] * 4294967296 + (w[2 * i] >>> 0);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = Number(v[i] as number | bigint);
  return out;
}
