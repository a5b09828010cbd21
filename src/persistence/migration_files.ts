import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../util/errors.ts";

/** The shipped migrations (goose format), `migrations/` at the repository root (included in the binary). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** One goose-format migration file: `NNNN_name.sql` with `-- +goose Up` and `-- +goose Down` sections. */
export interface MigrationFile {
  version: number;
  file: string;
  up: string;
  down: string;
  /** `-- +goose NO TRANSACTION`: run outside a transaction (e.g. CREATE INDEX CONCURRENTLY). */
  noTransaction: boolean;
  /** sha256 of the file (line endings normalised), recorded when applied. */
  checksum: string;
}

const NAME_RE = /^(\d+)_[A-Za-z0-9_.-]+\.sql$/;
const ANNOTATION_RE = /^--\s*\+goose\s+(.+?)\s*$/i;

/** Splits a goose file into its Up and Down SQL. Errors name the file. */
export function parseGoose(file: string, text: string): Pick<MigrationFile, "up" | "down" | "noTransaction"> {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let section: "none" | "up" | "down" = "none";
  const up: string[] = [];
  const down: string[] = [];
  let noTransaction = false;
  let sawUp = false;
  lines.forEach((line, i) => {
    const m = ANNOTATION_RE.exec(line.trim());
    if (m) {
      const a = m[1].toLowerCase();
      if (a === "up") {
        if (sawUp) throw new InputError(`${file}:${i + 1}: a second "-- +goose Up"`);
        sawUp = true;
        section = "up";
      } else if (a === "down") {
        if (!sawUp) throw new InputError(`${file}:${i + 1}: "-- +goose Down" before "-- +goose Up"`);
        section = "down";
      } else if (a === "no transaction") {
        noTransaction = true;
      } else if (a !== "statementbegin" && a !== "statementend" && !a.startsWith("envsub")) {
        throw new InputError(`${file}:${i + 1}: unknown goose annotation ${JSON.stringify(m[0])}`);
      }
      return;
    }
    if (section === "up") up.push(line);
    else if (section === "down") down.push(line);
    else if (line.trim() !== "" && !line.trim().startsWith("--")) {
      throw new InputError(`${file}:${i + 1}: SQL before "-- +goose Up"`);
    }
  });
  if (!sawUp) throw new InputError(`${file}: no "-- +goose Up" section (goose format required)`);
  return { up: up.join("\n").trim(), down: down.join("\n").trim(), noTransaction };
}

export function checksumOf(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");
}

/** Reads every `NNNN_name.sql` in `dir`, sorted by version. Duplicate versions are an error naming both. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const out: MigrationFile[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    throw new InputError(`migrations directory ${dir}: ${(err as Error).message}`);
  }
  for (const e of entries) {
    if (!e.isFile || !e.name.endsWith(".sql")) continue;
    const m = NAME_RE.exec(e.name);
    if (!m) throw new InputError(`${join(dir, e.name)}: migration file names are NNNN_name.sql`);
    const text = await Deno.readTextFile(join(dir, e.name));
    const version = Number(m[1]);
    const dup = out.find((o) => o.version === version);
    if (dup) throw new InputError(`migrations ${dup.file} and ${e.name} share version ${version}`);
    out.push({ version, file: e.name, ...parseGoose(e.name, text), checksum: checksumOf(text) });
  }
  return out.sort((a, b) => a.version - b.version);
}
