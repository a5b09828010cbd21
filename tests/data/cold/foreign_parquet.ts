// Writer settings of "foreign" Parquet files (not the cold tier's own): the encodings, page versions and
// codecs other writers produce, and which read path each must take. Shared by the decoder tests.
import * as pq from "parquet-wasm";

export interface DecoderCase {
  name: string;
  codec: pq.Compression;
  v2: boolean;
  dictionary: boolean;
  /** true: the fast page decoder reads it; false: the parquet-wasm fallback. */
  fast: boolean;
}

export const DECODER_CASES: DecoderCase[] = [
  {
    name: "v1 pages, dictionary, snappy",
    codec: pq.Compression.SNAPPY,
    v2: false,
    dictionary: true,
    fast: true,
  },
  { name: "v2 pages, dictionary, gzip", codec: pq.Compression.GZIP, v2: true, dictionary: true, fast: true },
  {
    name: "v1 pages, PLAIN, lz4_raw",
    codec: pq.Compression.LZ4_RAW,
    v2: false,
    dictionary: false,
    fast: true,
  },
  { name: "v1 pages, PLAIN, zstd", codec: pq.Compression.ZSTD, v2: false, dictionary: false, fast: true },
  // parquet-rs writes DELTA_* encodings for v2 without dictionary: the parquet-wasm path reads them.
  { name: "v2 pages, DELTA encodings", codec: pq.Compression.ZSTD, v2: true, dictionary: false, fast: false },
  { name: "legacy LZ4 codec", codec: pq.Compression.LZ4, v2: false, dictionary: true, fast: false },
];

/** Many small pages (spans start and end mid-file) in row groups of `rowGroupSize`. */
export function foreignProps(
  opts: { codec: pq.Compression; v2: boolean; dictionary: boolean },
  rowGroupSize = 500,
): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(opts.codec)
    .setWriterVersion(opts.v2 ? pq.WriterVersion.V2 : pq.WriterVersion.V1)
    .setDictionaryEnabled(opts.dictionary)
    .setDataPageSizeLimit(256)
    .setWriteBatchSize(16)
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(pq.EnabledStatistics.Page)
    .build();
}
