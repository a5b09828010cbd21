import { legacyPartitionDirs, listPartFiles } from "./layout.ts";

/**
 * Tables written before snapshots (the wave-1 layout): `dt=YYYY-MM-DD/part-NNNNN.<ext>` directly under the
 * root, plus `.part-*.tmp*` files a killed write left behind. They are read as they are (unverified: there
 * are no checksums) until the first write — or `cryptorun cold upgrade` — converts them: each part is
 * hashed and indexed, hard-linked into snapshot v1 (an "upgrade" commit), and the root-level folders are
 * removed after the switch. A crash before the switch leaves the legacy table as it was; after it, the
 * leftovers are collected by the next writer (gc.ts). The conversion itself is upgrade.ts (write side).
 */

export interface LegacyFile {
  dt: string;
  name: string;
  path: string;
  format: "parquet" | "csv";
}

/** The committed part files of a wave-1 table (temp debris excluded), by day and part number. */
export async function listLegacyFiles(root: string): Promise<LegacyFile[]> {
  const out: LegacyFile[] = [];
  for (const p of await legacyPartitionDirs(root)) {
    for (const f of await listPartFiles(p.dir)) {
      out.push({ dt: p.dt, name: f.name, path: f.path, format: f.ext === ".parquet" ? "parquet" : "csv" });
    }
  }
  return out;
}
