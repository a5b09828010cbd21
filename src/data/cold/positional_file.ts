import { type FileHandle, open } from "node:fs/promises";

/**
 * A file opened for positional reads (`FileHandle.read(buf, off, len, position)`): concurrent range reads
 * never share a seek position. Counts the bytes actually read, so tests and benches can prove pruning.
 */
export interface PositionalFile {
  path: string;
  size: number;
  bytesRead: number;
  readAt(start: number, end: number): Promise<Uint8Array<ArrayBuffer>>;
  /** A lazy Blob-like view for parquet-wasm `ParquetFile.fromFile`: nothing is read until arrayBuffer(). */
  blob(): Blob;
  /** An AsyncBuffer for hyparquet (footer/metadata reads). */
  asyncBuffer(): { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> };
  close(): Promise<void>;
}

export async function openPositional(path: string): Promise<PositionalFile> {
  const fh: FileHandle = await open(path, "r");
  let size: number;
  try {
    size = (await fh.stat()).size;
  } catch (err) {
    await fh.close();
    throw err;
  }
  const file: PositionalFile = {
    path,
    size,
    bytesRead: 0,
    async readAt(start, end) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      const buf = new Uint8Array(e - s);
      let off = 0;
      while (off < buf.length) {
        const r = await fh.read(buf, off, buf.length - off, s + off);
        if (r.bytesRead === 0) break;
        off += r.bytesRead;
      }
      file.bytesRead += off;
      return off === buf.length ? buf : buf.slice(0, off);
    },
    blob() {
      return lazyBlob(file, 0, size);
    },
    asyncBuffer() {
      return {
        byteLength: size,
        slice: async (start: number, end?: number) => (await file.readAt(start, end ?? size)).buffer,
      };
    },
    close: () => fh.close(),
  };
  return file;
}

function lazyBlob(file: PositionalFile, start: number, end: number): Blob {
  const view = {
    size: end - start,
    type: "",
    slice(s = 0, e = end - start): Blob {
      const rel = (x: number) => (x < 0 ? Math.max(end - start + x, 0) : Math.min(x, end - start));
      return lazyBlob(file, start + rel(s), start + Math.max(rel(s), rel(e)));
    },
    async arrayBuffer(): Promise<ArrayBuffer> {
      return (await file.readAt(start, end)).buffer;
    },
    async bytes(): Promise<Uint8Array> {
      return await file.readAt(start, end);
    },
  };
  return view as unknown as Blob;
}
