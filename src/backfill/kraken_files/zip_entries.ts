import yauzl from "yauzl";
import { InputError, show } from "../../util/errors.ts";

/**
 * The files of a Kraken download, from a .zip or a directory, one at a time as byte streams: a zip is read
 * through npm:yauzl, which reads the central directory and then inflates ONE entry at a time from the file
 * (random access, never the whole archive in memory — Kraken's full history zips are tens of GB).
 */

export interface SourceFile {
  /** The file's name inside the zip or directory (its last path component is what is mapped to a pair). */
  name: string;
  /** Uncompressed size in bytes (progress). */
  size: number;
  open(): Promise<ReadableStream<Uint8Array>>;
}

/** The minimal part of yauzl's API used here (the package ships no types). */
interface YauzlEntry {
  fileName: string;
  uncompressedSize: number;
}
interface YauzlZip {
  entryCount: number;
  readEntry(): void;
  on(ev: "entry", f: (e: YauzlEntry) => void): void;
  on(ev: "end", f: () => void): void;
  on(ev: "error", f: (e: Error) => void): void;
  openReadStream(e: YauzlEntry, cb: (err: Error | null, s: AsyncIterable<Uint8Array>) => void): void;
  close(): void;
}
const yz = yauzl as unknown as {
  open(path: string, o: Record<string, unknown>, cb: (err: Error | null, z: YauzlZip) => void): void;
};

function openZip(path: string): Promise<YauzlZip> {
  return new Promise((resolve, reject) =>
    yz.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (err, z) => {
      if (err) reject(new InputError(`${show(path)}: not a readable zip (${err.message})`));
      else resolve(z);
    })
  );
}

/** Every entry of the zip (its directory only; nothing is inflated yet). */
async function zipEntries(z: YauzlZip, path: string): Promise<YauzlEntry[]> {
  return await new Promise((resolve, reject) => {
    const out: YauzlEntry[] = [];
    z.on("entry", (e) => {
      out.push(e);
      z.readEntry();
    });
    z.on("end", () => resolve(out));
    z.on("error", (e) => reject(new InputError(`${show(path)}: damaged zip (${e.message})`)));
    z.readEntry();
  });
}

export interface FileSet extends AsyncDisposable {
  files: SourceFile[];
}

/** The CSV files of a zip or a directory (sorted by name); anything else in it is ignored. */
export async function openSource(path: string): Promise<FileSet> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (err) {
    throw new InputError(`${show(path)}: cannot read (${(err as Error).name})`);
  }
  const isCsv = (n: string) => /\.csv$/i.test(n) && !n.split("/").pop()!.startsWith(".");
  if (st.isDirectory) {
    const files: SourceFile[] = [];
    for await (const e of Deno.readDir(path)) {
      if (!e.isFile || !isCsv(e.name)) continue;
      const full = `${path.replace(/\/+$/, "")}/${e.name}`;
      const size = (await Deno.stat(full)).size;
      files.push({ name: e.name, size, open: async () => (await Deno.open(full)).readable });
    }
    files.sort((a, b) => (a.name < b.name ? -1 : 1));
    return { files, [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  const z = await openZip(path);
  const entries = (await zipEntries(z, path)).filter((e) => !e.fileName.endsWith("/") && isCsv(e.fileName));
  const files = entries.map((e): SourceFile => ({
    name: e.fileName,
    size: e.uncompressedSize,
    open: () =>
      new Promise((resolve, reject) =>
        z.openReadStream(e, (err, s) => {
          if (err) reject(new InputError(`${show(path)}: ${e.fileName}: cannot inflate (${err.message})`));
          else resolve(ReadableStream.from(s));
        })
      ),
  })).sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    files,
    [Symbol.asyncDispose]() {
      z.close();
      return Promise.resolve();
    },
  };
}
