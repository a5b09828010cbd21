import assert from "node:assert/strict";
import postgres from "postgres";
import { PersistenceSection } from "../../src/config/sections/persistence.ts";
import { dbOperations } from "../../src/metrics/registry.ts";
import { runCall } from "../../src/persistence/call.ts";
import { DbError } from "../../src/persistence/db_error.ts";
import { openDb } from "../../src/persistence/open.ts";
import { migrateUp } from "../../src/persistence/migrate.ts";
import { BACKENDS, freshPgDatabase, openBackend, TEST_POLICY } from "./backends.ts";
import type { TradeInput } from "../../src/persistence/types.ts";
import { nullLogger } from "../../src/log/logger.ts";

const T0 = Date.UTC(2024, 2, 1);

async function counter(repo: string, op: string, outcome: string): Promise<number> {
  const m = await dbOperations.get();
  return m.values.find((v) => v.labels.repo === repo && v.labels.op === op && v.labels.outcome === outcome)
    ?.value ?? 0;
}

Deno.test("fault: pg_terminate_backend during a COPY batch → retried, every row lands exactly once", async () => {
  await using o = await openBackend("postgres");
  const dsn = o.env.CRYPTORUN_PG_DSN;
  const rows: TradeInput[] = Array.from({ length: 3_000 }, (_, i) => ({
    ts: new Date(T0 + i * 1000),
    symbol: "BTC/USD",
    venue: "kraken",
    side: i % 2 ? "buy" : "sell",
    price: 60_000 + i,
    qty: 0.01,
  }));
  const admin = postgres(dsn, { max: 2, onnotice: () => {} });
  try {
    // Hold a lock that makes the repo's first COPY wait inside its transaction, then kill that backend.
    const locker = await admin.reserve();
    await locker`begin`;
    await locker`lock table trades in share mode`;
    const retriesBefore = await counter("trades", "insertMany", "retry");
    const done = o.p.trades.insertMany(rows, { batchSize: 1_000 });
    let pid: number | undefined;
    for (let i = 0; i < 200 && pid === undefined; i++) {
      const r = await admin<{ pid: number }[]>`
        select pid from pg_stat_activity
        where datname = current_database() and application_name = 'cryptorun' and wait_event_type = 'Lock'`;
      pid = r[0]?.pid;
      if (pid === undefined) await new Promise((res) => setTimeout(res, 25));
    }
    assert.ok(pid !== undefined, "the COPY never blocked on the lock");
    const [{ ok }] = await admin<{ ok: boolean }[]>`select pg_terminate_backend(${pid}) as ok`;
    assert.equal(ok, true);
    await locker`commit`;
    locker.release();
    const res = await done;
    assert.deepEqual(res, { inserted: 3_000, duplicates: 0 });
    const [{ n, distinct_ts }] = await admin<{ n: string; distinct_ts: string }[]>`
      select count(*) as n, count(distinct ts) as distinct_ts from trades`;
    assert.equal(Number(n), 3_000);
    assert.equal(Number(distinct_ts), 3_000);
    assert.ok(await counter("trades", "insertMany", "retry") > retriesBefore, "no retry was counted");
  } finally {
    await admin.end();
  }
});

for (const kind of BACKENDS) {
  Deno.test(`fault: a constraint violation is not retried and names the column [${kind}]`, async () => {
    await using o = await openBackend(kind);
    const cfg = PersistenceSection.parse({ kind });
    // A second handle on the same database (the embedded one is single-process: close the first).
    if (kind === "embedded") await o.p.close();
    const db = await openDb(cfg, o.dataDir, o.env, nullLogger);
    try {
      await migrateUp(db);
      const policy = { timeoutMs: 10_000, maxRetries: 4, baseDelayMs: 5, maxDelayMs: 50 };
      let calls = 0;
      const err = await runCall("regime", "raw", policy, undefined, async () => {
        calls++;
        return await db.sql`insert into regime_snapshots
          (ts, realized_vol_7d, pct_above_20ma, breadth_thrust, regime, weights)
          values (now(), 0.1, 0.5, 0.2, 'bull', '{}'::jsonb)`;
      }).then(() => undefined, (e) => e);
      assert.ok(err instanceof DbError, `expected DbError, got ${err}`);
      assert.equal(calls, 1, "a constraint violation was retried");
      assert.equal(err.code, "23514");
      assert.equal(err.column, "regime");
      assert.match(err.message, /column regime/);
      assert.match(err.message, /regime_snapshots_regime_check/);

      calls = 0;
      const err2 = await runCall("trades", "raw", policy, undefined, async () => {
        calls++;
        return await db.sql`insert into trades (ts, symbol, venue, side, price, qty)
          values (now(), 'BTC/USD', 'kraken', 'hold', 1, 1)`;
      }).then(() => undefined, (e) => e);
      assert.equal(calls, 1);
      assert.match((err2 as Error).message, /column side/);
    } finally {
      await db.close();
    }
  });
}

Deno.test("fault: transient errors are retried up to max_retries, then reported with the attempt count", async () => {
  let calls = 0;
  const policy = { timeoutMs: 10_000, maxRetries: 3, ...TEST_POLICY } as const;
  const err = await runCall("trades", "fake", { ...policy, baseDelayMs: 1, maxDelayMs: 5 }, undefined, () => {
    calls++;
    const e = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    return Promise.reject(e);
  }).then(() => undefined, (e) => e as DbError);
  assert.equal(calls, 4);
  assert.ok(err instanceof DbError);
  assert.match(err.message, /after 4 attempts/);
  assert.match(err.message, /SQLSTATE 57P01/);
  // Succeeds when a retry succeeds.
  let n = 0;
  const v = await runCall("trades", "fake", { ...policy, baseDelayMs: 1, maxDelayMs: 5 }, undefined, () => {
    n++;
    return n < 3
      ? Promise.reject(Object.assign(new Error("deadlock detected"), { code: "40P01" }))
      : Promise.resolve(7);
  });
  assert.equal(v, 7);
  assert.equal(n, 3);
});

Deno.test("fault: per-call timeout cancels a slow query; an aborted signal stops the call", async () => {
  await using pg = await freshPgDatabase();
  const cfg = PersistenceSection.parse({ kind: "postgres" });
  const db = await openDb(cfg, "/nonexistent", { CRYPTORUN_PG_DSN: pg.dsn }, nullLogger);
  try {
    const policy = { timeoutMs: 10_000, maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 };
    const err = await runCall(
      "x",
      "sleep",
      policy,
      { timeoutMs: 200 },
      (a) => a.track(db.sql`select pg_sleep(30)`),
    )
      .then(() => undefined, (e) => e as DbError);
    assert.ok(err instanceof DbError);
    assert.match(err.message, /x\.sleep: timed out after 200 ms/);
    // The server-side query was cancelled (not left running for 30 s).
    let running = 1;
    for (let i = 0; i < 100 && running > 0; i++) {
      const [r] = await db.sql<{ n: string }[]>`
        select count(*) as n from pg_stat_activity where query like '%pg_sleep(30)%' and pid <> pg_backend_pid()
          and state = 'active'`;
      running = Number(r.n);
      if (running) await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(running, 0, "the timed-out query is still running on the server");

    const ac = new AbortController();
    ac.abort();
    const err2 = await runCall("x", "sleep", policy, { signal: ac.signal }, () => db.sql`select 1`)
      .then(() => undefined, (e) => e as Error);
    assert.match(String(err2?.message), /aborted/);
  } finally {
    await db.close();
  }
});
