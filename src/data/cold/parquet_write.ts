import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import type { ParquetSchemaSpec } from "../../config/sections/cold.ts";
import type { Columns, ValueColumn } from "./columns.ts";
import { VALUE_COLUMNS } from "./columns.ts";
import { arrowSchema } from "./schema.ts";
import type { ParquetCompression } from "./types.ts";

/*
 * Writing Parquet parts (parquet-wasm). parquet-wasm 0.8.0 has no writer option for page CRCs
 * (WriterPropertiesBuilder has none): the cold tier's checksums are the manifest's whole-file BLAKE3 and
 * per-block hashes (checksum.ts), verified on every read.
 */

/** Parquet codecs by config name. `lz4` is LZ4_RAW: the legacy LZ4 codec is unreadable by DuckDB & co. */
export const PARQUET_CODECS: Record<ParquetCompression, pq.Compression> = {
  gzip: pq.Compression.GZIP,
  lz4: pq.Compression.LZ4_RAW,
  snappy: pq.Compression.SNAPPY,
  zstd: pq.Compression.ZSTD,
  uncompressed: pq.Compression.UNCOMPRESSED,
};

/** Builds the Arrow record batch of sorted rows: ts int64 ms (UTC), symbol dictionary-encoded utf8. */
function toArrow(cols: Columns, spec: ParquetSchemaSpec): arrow.Table {
  const schema = arrowSchema(spec);
  const n = cols.length;
  const ts = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ts[i] = BigInt(cols.ts[i]);
  const dictValues = [...new Set(cols.symbol)].sort();
  const code = new Map(dictValues.map((s, i) => [s, i]));
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = code.get(cols.symbol[i])!;
  const dictVector = arrow.vectorFromArray(dictValues, new arrow.Utf8());
  const children = schema.fields.map((f) => {
    if (f.name === "ts") return arrow.makeData({ type: f.type, data: ts, length: n });
    if (f.name === "symbol") {
      return arrow.makeData({ type: f.type, data: indices, length: n, dictionary: dictVector });
    }
    return arrow.makeData({ type: f.type, data: cols[f.name as ValueColumn], length: n });
  });
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
}

/** Encodes sorted rows as one Parquet file (row groups of `rowGroupSize`, chunk statistics on). */
export function encodeParquet(
  cols: Columns,
  spec: ParquetSchemaSpec,
  compression: ParquetCompression,
  rowGroupSize: number,
): Uint8Array {
  const ipc = arrow.tableToIPC(toArrow(cols, spec), "stream");
  const table = pq.Table.fromIPCStream(ipc);
  let builder = new pq.WriterPropertiesBuilder();
  // Prices and volumes are PLAIN, not dictionary-encoded: their values barely repeat, so the dictionary page
  // (~1 MB per column chunk, needed to decode any page of it) outgrew the data — real Kraken/Binance hourly
  // bars come out 3–25% smaller without it, and a narrow read decodes one data page instead of the
  // dictionary. ts and symbol keep their dictionaries (hundreds of distinct values per row group).
  for (const c of VALUE_COLUMNS) builder = builder.setColumnDictionaryEnabled(c, false);
  const props = builder
    .setCompression(PARQUET_CODECS[compression])
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(pq.EnabledStatistics.Chunk)
    .setCreatedBy("cryptorun cold tier (parquet-wasm)")
    .build();
  return pq.writeParquet(table, props);
}
