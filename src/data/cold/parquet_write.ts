import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import type { Batch } from "./batch.ts";
import type { FieldSpec, FieldType } from "./schema.ts";
import type { ParquetCompression } from "./types.ts";

/*
 * Writing Parquet parts (parquet-wasm) — the writer stack, imported by the write path only. parquet-wasm
 * 0.8.0 has no writer option for page CRCs (WriterPropertiesBuilder has none): the cold tier's checksums are
 * the manifest's whole-file BLAKE3 and per-block hashes (checksum.ts), verified on every read.
 */

/** Parquet codecs by config name. `lz4` is LZ4_RAW: the legacy LZ4 codec is unreadable by DuckDB & co. */
export const PARQUET_CODECS: Record<ParquetCompression, pq.Compression> = {
  gzip: pq.Compression.GZIP,
  lz4: pq.Compression.LZ4_RAW,
  snappy: pq.Compression.SNAPPY,
  zstd: pq.Compression.ZSTD,
  uncompressed: pq.Compression.UNCOMPRESSED,
};

/**
 * The Arrow type written for each schema type: timestamp(ms) int64 milliseconds with UTC semantics, strings
 * dictionary-encoded utf8, int64, double.
 */
export function arrowType(t: FieldType): arrow.DataType {
  if (t === "timestamp(ms)") return new arrow.TimestampMillisecond("UTC");
  if (t === "string") return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  if (t === "int64") return new arrow.Int64();
  return new arrow.Float64();
}

/** The Arrow schema of a table's fields (required fields not nullable). */
export function arrowSchema(spec: { fields: readonly FieldSpec[] }): arrow.Schema {
  return new arrow.Schema(spec.fields.map((f) => new arrow.Field(f.name, arrowType(f.type), !f.required)));
}

/** A validity bitmap (1 = value) when `isNull` holds for some row; undefined when every row has a value. */
function validity(n: number, isNull: (i: number) => boolean): { bitmap?: Uint8Array; nulls: number } {
  let bitmap: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (!isNull(i)) continue;
    if (!bitmap) bitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
    bitmap[i >> 3] &= ~(1 << (i & 7));
    nulls++;
  }
  return { bitmap, nulls };
}

/** The Arrow data of one column (sorted rows; nulls: NaN numbers, "" strings — only in nullable fields). */
function columnData(f: FieldSpec, type: arrow.DataType, values: Float64Array | string[], n: number) {
  if (f.type === "string") {
    const v = values as string[];
    const dictValues = [...new Set(v)].filter((s) => f.required || s !== "").sort();
    if (dictValues.length === 0) dictValues.push(""); // all null: null slots still point at an entry
    const code = new Map(dictValues.map((s, i) => [s, i]));
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) indices[i] = code.get(v[i]) ?? 0;
    const { bitmap, nulls } = f.required ? { bitmap: undefined, nulls: 0 } : validity(n, (i) => v[i] === "");
    const dictionary = arrow.vectorFromArray(dictValues, new arrow.Utf8());
    return arrow.makeData({
      type: type as arrow.Dictionary<arrow.Utf8, arrow.Int32>,
      data: indices,
      length: n,
      dictionary,
      nullBitmap: bitmap,
      nullCount: nulls,
    });
  }
  const v = values as Float64Array;
  const { bitmap, nulls } = f.required ? { bitmap: undefined, nulls: 0 } : validity(n, (i) => v[i] !== v[i]);
  if (f.type === "double") {
    return arrow.makeData({
      type: type as arrow.Float64,
      data: v,
      length: n,
      nullBitmap: bitmap,
      nullCount: nulls,
    });
  }
  const big = new BigInt64Array(n);
  for (let i = 0; i < n; i++) big[i] = v[i] === v[i] ? BigInt(v[i]) : 0n;
  // timestamp(ms) and int64 are both 64-bit integers in Arrow.
  return arrow.makeData({
    type: type as arrow.Int64,
    data: big,
    length: n,
    nullBitmap: bitmap,
    nullCount: nulls,
  });
}

/** Builds the Arrow record batch of sorted rows. */
function toArrow(cols: Batch, spec: { fields: readonly FieldSpec[] }): arrow.Table {
  const schema = arrowSchema(spec);
  const n = cols.length;
  const children = schema.fields.map((af, k) => columnData(spec.fields[k], af.type, cols.cols[af.name], n));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
}

/** Encodes sorted rows as one Parquet file (row groups of `rowGroupSize`, chunk statistics on). */
export function encodeParquet(
  cols: Batch,
  spec: { fields: readonly FieldSpec[] },
  compression: ParquetCompression,
  rowGroupSize: number,
): Uint8Array {
  const ipc = arrow.tableToIPC(toArrow(cols, spec), "stream");
  const table = pq.Table.fromIPCStream(ipc);
  let builder = new pq.WriterPropertiesBuilder();
  // Doubles are PLAIN, not dictionary-encoded: prices and volumes barely repeat, so the dictionary page
  // (~1 MB per column chunk, needed to decode any page of it) outgrew the data — real Kraken/Binance hourly
  // bars come out 3–25% smaller without it, and a narrow read decodes one data page instead of the
  // dictionary. Timestamps, strings and integers keep their dictionaries (few distinct values per row group).
  for (const f of spec.fields) {
    if (f.type === "double") builder = builder.setColumnDictionaryEnabled(f.name, false);
  }
  const props = builder
    .setCompression(PARQUET_CODECS[compression])
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(pq.EnabledStatistics.Chunk)
    .setCreatedBy("cryptorun cold tier (parquet-wasm)")
    .build();
  return pq.writeParquet(table, props);
}
