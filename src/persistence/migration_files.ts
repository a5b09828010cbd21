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
  /**
   * The Up and Down sections as single statements (a `StatementBegin/End` block is one statement, the rest is
   * split at top-level `;`): a NO TRANSACTION file sends them one by one, since Postgres runs a
   * multi-statement query as one implicit transaction.
   */
  upStatements: string[];
  downStatements: string[];
  /** sha256 of the file (line endings normalised), recorded when applied. */
  checksum: string;
}

const NAME_RE = /^(\d+)_[A-Za-z0-9_.-]+\.sql$/;
const ANNOTATION_RE = /^--\s*\+goose\s+(.+?)\s*$/i;

type Parsed = Pick<MigrationFile, "up" | "down" | "noTransaction" | "upStatements" | "downStatements">;

/**
 * Splits a goose file into its Up and Down SQL, and each section into statements. Errors name the file and
 * line.
 */
export function parseGoose(file: string, text: string): Parsed {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let section: "none" | "up" | "down" = "none";
  const sections = { up: [] as string[], down: [] as string[] };
  const statements = { up: [] as string[], down: [] as string[] };
  /** Lines since the last StatementBegin/End boundary: split with splitSql. */
  let loose: string[] = [];
  /** Lines of the open StatementBegin block (one statement), and the line it began on. */
  let block: string[] | undefined;
  let blockLine = 0;
  let noTransaction = false;
  let sawUp = false;
  const flushLoose = () => {
    if (section !== "none") statements[section].push(...splitSql(loose.join("\n")));
    loose = [];
  };
  const endSection = (at: number) => {
    if (block) {
      throw new InputError(
        `${file}:${blockLine}: "-- +goose StatementBegin" without StatementEnd before line ${at}`,
      );
    }
    flushLoose();
  };
  lines.forEach((line, i) => {
    const m = ANNOTATION_RE.exec(line.trim());
    if (m) {
      const a = m[1].toLowerCase();
      if (a === "up") {
        if (sawUp) throw new InputError(`${file}:${i + 1}: a second "-- +goose Up"`);
        endSection(i + 1);
        sawUp = true;
        section = "up";
      } else if (a === "down") {
        if (!sawUp) throw new InputError(`${file}:${i + 1}: "-- +goose Down" before "-- +goose Up"`);
        endSection(i + 1);
        section = "down";
      } else if (a === "no transaction") {
        noTransaction = true;
      } else if (a === "statementbegin") {
        if (block) throw new InputError(`${file}:${i + 1}: a StatementBegin inside a StatementBegin block`);
        if (section === "none") {
          throw new InputError(`${file}:${i + 1}: StatementBegin before "-- +goose Up"`);
        }
        flushLoose();
        block = [];
        blockLine = i + 1;
      } else if (a === "statementend") {
        if (!block) throw new InputError(`${file}:${i + 1}: "-- +goose StatementEnd" without StatementBegin`);
        const stmt = trimStatement(block.join("\n"));
        if (stmt && section !== "none") statements[section].push(stmt);
        block = undefined;
      } else if (!a.startsWith("envsub")) {
        throw new InputError(`${file}:${i + 1}: unknown goose annotation ${JSON.stringify(m[0])}`);
      }
      return;
    }
    if (section !== "none") {
      sections[section].push(line);
      (block ?? loose).push(line);
    } else if (line.trim() !== "" && !line.trim().startsWith("--")) {
      throw new InputError(`${file}:${i + 1}: SQL before "-- +goose Up"`);
    }
  });
  if (!sawUp) throw new InputError(`${file}: no "-- +goose Up" section (goose format required)`);
  endSection(lines.length + 1);
  return {
    up: sections.up.join("\n").trim(),
    down: sections.down.join("\n").trim(),
    noTransaction,
    upStatements: statements.up,
    downStatements: statements.down,
  };
}

/** A statement without its closing `;` and surrounding blanks; "" when it holds nothing but comments. */
function trimStatement(stmt: string): string {
  const s = stmt.trim().replace(/;\s*$/, "").trim();
  return splitSql(s).length ? s : "";
}

/**
 * Splits PostgreSQL text into statements at top-level `;` — not inside a '…' or E'…' string, a "…"
 * identifier, a $tag$…$tag$ dollar-quoted body, a -- comment or a (nested) block comment. Statements holding
 * only comments and blanks are dropped; an unterminated quote or comment runs to the end (the server then
 * reports the syntax error).
 */
export function splitSql(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let code = false; // the current statement has something besides comments and blanks
  let i = 0;
  const n = text.length;
  const identChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_$]/u.test(c);
  while (i < n) {
    const c = text[i];
    if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === "/" && text[i + 1] === "*") (depth++, i += 2);
        else if (text[i] === "*" && text[i + 1] === "/") (depth--, i += 2);
        else i++;
      }
    } else if (c === "'") {
      // E'…' strings take backslash escapes; standard strings only '' (standard_conforming_strings).
      const escapes = /[eE]/.test(text[i - 1] ?? "") && !identChar(text[i - 2]);
      code = true;
      i++;
      while (i < n) {
        if (escapes && text[i] === "\\") i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      code = true;
      const end = text.indexOf('"', i + 1); // "" inside an identifier is two adjacent quoted runs: same result
      i = end < 0 ? n : end + 1;
    } else if (c === "$" && !identChar(text[i - 1])) {
      const m = /^\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(text.slice(i, i + 64));
      code = true;
      if (m) {
        const end = text.indexOf(m[0], i + m[0].length);
        i = end < 0 ? n : end + m[0].length;
      } else i++;
    } else if (c === ";") {
      if (code) out.push(text.slice(start, i).trim());
      start = i + 1;
      code = false;
      i++;
    } else {
      if (!/\s/.test(c)) code = true;
      i++;
    }
  }
  if (code) out.push(text.slice(start).trim());
  return out;
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
