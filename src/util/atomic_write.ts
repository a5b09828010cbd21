import { dirname, join } from "node:path";

/** Temp-file path next to `path` (same directory, so the rename is atomic on one filesystem). */
export function tempPathFor(path: string): string {
  const rand = crypto.randomUUID().slice(0, 8);
  const base = path.split("/").pop() ?? "file";
  return join(dirname(path), `.${base}.${rand}.tmp`);
}

/** Writes every byte of `bytes` to `path` (created or truncated) and fsyncs it. Not atomic by itself. */
export async function writeFileSynced(path: string, bytes: Uint8Array): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
    await f.sync();
  } finally {
    f.close();
  }
}

/**
 * Writes `data` to `path` atomically: a temp file in the same directory, fsync, then rename.
 * A crash leaves either the old file or the new one, never half of one.
 */
export async function atomicWriteFile(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await writeFileSynced(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Streams chunks into `path` atomically. `produce` receives a writer; the file appears at `path`
 * only when `produce` resolves; on any error the temp file is removed and `path` is untouched.
 */
export async function atomicWriteStream(
  path: string,
  produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  let closed = false;
  try {
    await produce(async (chunk) => {
      let off = 0;
      while (off < chunk.length) off += await f.write(chunk.subarray(off));
    });
    await f.sync();
    f.close();
    closed = true;
    await Deno.rename(tmp, path);
  } catch (err) {
    if (!closed) f.close();
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
