import type { Sql } from "./db.ts";
import { isTransient } from "./db_error.ts";

export type Tx = Awaited<ReturnType<Sql["reserve"]>>;

/** True when the connection itself is gone (nothing more may be written to it). */
export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return isTransient(err) && code !== "40001" && code !== "40P01";
}

/**
 * Runs `fn` in a transaction on a reserved connection. Used instead of npm:postgres `sql.begin`, whose
 * rollback after a lost connection writes to a closed socket (an uncaught TypeError in 3.4.9): after a
 * connection loss the server has already rolled back, so nothing is sent.
 */
export async function inTransaction<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await withReserved(sql, async (tx) => {
    try {
      await tx`begin`;
      const out = await fn(tx);
      await tx`commit`;
      return out;
    } catch (err) {
      if (!isConnectionLoss(err)) await tx`rollback`.catch(() => {});
      throw err;
    }
  });
}

/**
 * Runs `fn` on a reserved connection and hands it back. After a connection loss the connection is NOT
 * released: npm:postgres 3.4.9 has already moved it to its closed list, and `release()` would put the dead
 * connection back into the pool (the next query then writes to a null socket).
 */
export async function withReserved<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = await sql.reserve();
  let lost = false;
  try {
    return await fn(tx);
  } catch (err) {
    lost = isConnectionLoss(err);
    throw err;
  } finally {
    if (!lost) tx.release();
  }
}
