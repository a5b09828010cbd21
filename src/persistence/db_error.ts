/**
 * Classification and rendering of database errors: which are transient (retried with backoff) and how a
 * failure is reported (SQLSTATE, constraint, column — never the DSN).
 */

/** SQLSTATEs that are safe to retry: serialization failure, deadlock, admin/crash shutdown, cannot connect now. */
const TRANSIENT_SQLSTATES = new Set(["40001", "40P01", "57P01", "57P02", "57P03"]);

/** npm:postgres / Node socket error codes meaning the connection was lost or could not be made. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
]);

interface PgLikeError {
  code?: string;
  severity?: string;
  constraint_name?: string;
  column_name?: string;
  table_name?: string;
  detail?: string;
  message?: string;
}

/** True for errors worth retrying. Constraint violations (23xxx) and everything else are not. */
export function isTransient(err: unknown): boolean {
  const e = err as PgLikeError | undefined;
  const code = e?.code;
  if (typeof code !== "string") {
    return /connection (?:closed|ended|reset|terminated)|ECONNRESET|broken pipe/i.test(
      String(e?.message ?? ""),
    );
  }
  if (code.startsWith("23")) return false;
  if (TRANSIENT_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  return CONNECTION_CODES.has(code);
}

/** The column a constraint is about: npm:postgres' column_name, or derived from `<table>_<column>_check`. */
export function columnOf(err: PgLikeError): string | undefined {
  if (err.column_name) return err.column_name;
  const c = err.constraint_name;
  if (!c) return undefined;
  const t = err.table_name;
  let rest = t && c.startsWith(t + "_") ? c.slice(t.length + 1) : c;
  rest = rest.replace(/_(check|key|fkey|not_null|uniq)$/, "");
  // Unique keys over several columns: the detail names them.
  const m = /^Key \(([^)]+)\)/.exec(err.detail ?? "");
  return m ? m[1] : rest;
}

/** A database failure: the operation, the SQLSTATE, the constraint and column when there is one. */
export class DbError extends Error {
  override name = "DbError";
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly transient: boolean,
    readonly attempts: number,
    readonly constraint?: string,
    readonly column?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Wraps any error from a repository call into a DbError naming the call, column and constraint. */
export function toDbError(what: string, err: unknown, attempts: number): DbError {
  if (err instanceof DbError) return err;
  const e = (err ?? {}) as PgLikeError;
  const transient = isTransient(err);
  const code = typeof e.code === "string" ? e.code : undefined;
  const parts: string[] = [];
  const isPg = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
  const column = isPg && code!.startsWith("23") ? columnOf(e) : e.column_name;
  if (column) parts.push(`column ${column}`);
  if (e.constraint_name) parts.push(`constraint ${e.constraint_name}`);
  if (e.table_name) parts.push(`table ${e.table_name}`);
  if (code) parts.push(isPg ? `SQLSTATE ${code}` : code);
  if (e.detail) parts.push(e.detail);
  if (attempts > 1) parts.push(`after ${attempts} attempts`);
  const msg = `${what}: ${e.message ?? String(err)}${parts.length ? ` (${parts.join("; ")})` : ""}`;
  return new DbError(msg, code, transient, attempts, e.constraint_name, column, { cause: err });
}
