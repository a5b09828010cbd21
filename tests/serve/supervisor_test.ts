import assert from "node:assert/strict";
import { readComponentStatuses, writeComponentStatus } from "../../src/health/status_store.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { readMicrostructure } from "../../src/data/hot/store.ts";
import { registry } from "../../src/metrics/registry.ts";
import { booksSession } from "../../src/serve/jobs.ts";
import { createDbLease } from "../../src/health/db_lease.ts";
import { createSupervisor } from "../../src/serve/supervisor.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";
import { defaultConfig } from "../health/fake_sources.ts";
import { startFakeKraken } from "../providers/kraken/fake_kraken_ws.ts";

async function metricValue(name: string, labels: string): Promise<number | undefined> {
  const m = await registry.getSingleMetricAsString(name);
  const line = m.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").pop()) : undefined;
}

/** A sleep the test controls: records every delay, returns at once until `holdAfter` delays were asked. */
function recordingSleep(holdAfter: number) {
  const delays: number[] = [];
  let reached: () => void = () => {};
  const held = new Promise<void>((r) => reached = r);
  const sleep = (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    if (delays.length < holdAfter) return Promise.resolve(true);
    reached();
    return new Promise<boolean>((resolve) => {
      if (signal.aborted) return resolve(false);
      signal.addEventListener("abort", () => resolve(false), { once: true });
    });
  };
  return { delays, held, sleep };
}

Deno.test("supervisor: a failing session is restarted; the backoff doubles and is capped; status and metrics", async () => {
  await using dir = await tempDir();
  const s = recordingSleep(8);
  let sessions = 0;
  const sup = createSupervisor({
    name: "t_backoff",
    log: nullLogger,
    baseMs: 100,
    capMs: 1_000,
    random: () => 1, // the top of the full-jitter range: the cap itself is visible
    sleep: s.sleep,
    statusEveryMs: 3_600_000,
    writeStatus: (st) => writeComponentStatus(dir.path, st),
    session: () => {
      sessions++;
      return Promise.reject(new Error(`boom ${sessions}`));
    },
  });
  sup.start();
  await s.held;
  assert.deepEqual(s.delays, [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  const st = sup.state();
  assert.equal(st.sessions, 8);
  assert.equal(st.restarts, 7);
  assert.equal(st.consecutiveFailures, 8);
  assert.equal(st.lastError?.message, "boom 8");
  assert.equal(await metricValue("cryptorun_supervised_restarts_total", 'component="t_backoff"'), 7);
  await sup.stop();
  assert.equal(sup.state().running, false);
  assert.equal(sup.state().sessions, 8, "no session after stop");
  const { statuses } = await readComponentStatuses(dir.path);
  const mine = statuses.find((x) => x.component === "supervisor.t_backoff");
  assert.equal(mine?.state, "stopped");
  assert.equal(mine?.consecutive_failures, 8);
  assert.equal(mine?.last_error?.message, "boom 8");
  assert.equal(mine?.last_success_at, null);
});

Deno.test("supervisor: jitter stays within [0, cap]; a session that delivered data resets the backoff", async () => {
  const s = recordingSleep(6);
  let n = 0;
  const rnd = [0.5, 0.25, 0.5, 0, 0.5, 1];
  const sup = createSupervisor({
    name: "t_reset",
    log: nullLogger,
    baseMs: 100,
    capMs: 300,
    random: () => rnd[(n - 1) % rnd.length],
    sleep: s.sleep,
    statusEveryMs: 3_600_000,
    session: (_signal, progress) => {
      n++;
      if (n === 4) progress(); // the 4th session worked for a while before it ended
      return n % 2 === 0 ? Promise.resolve() : Promise.reject(new Error("x"));
    },
  });
  sup.start();
  await s.held;
  // attempt: 0,1,2, (session 4 delivered data → reset) 0,1,2 ; caps min(300, 100·2^n)
  assert.deepEqual(s.delays, [0.5 * 100, 0.25 * 200, 0.5 * 300, 0 * 100, 0.5 * 200, 1 * 300]);
  assert.ok(s.delays.every((d) => d >= 0 && d <= 300));
  const st = sup.state();
  assert.equal(st.consecutiveFailures, 3, "sessions 4-6 ended: failures counted since the last data only");
  assert.equal(st.lastError?.message, "session ended on its own");
  assert.notEqual(st.lastProgressAt, null);
  await sup.stop();
});

Deno.test("supervisor: the Kraken book session against a loopback server that closes every connection fails and is restarted", async () => {
  await using dir = await tempDir();
  let connections = 0;
  // Accepts the WebSocket, then closes it at once: the client reconnects, the session never gets a book.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    connections++;
    socket.onopen = () => socket.close(1011, "test drop");
    return response;
  });
  const cfg = await defaultConfig((c) => {
    c.kraken.ws_url = `ws://127.0.0.1:${server.addr.port}/v2`;
    c.kraken.symbols = ["XMR/USD"];
    c.kraken.reconnect_max_ms = 500;
    c.persistence.enabled = false;
  });
  const s = recordingSleep(3);
  const sup = createSupervisor({
    name: "t_drop",
    log: nullLogger,
    sleep: s.sleep,
    statusEveryMs: 3_600_000,
    writeStatus: (st) => writeComponentStatus(dir.path, st),
    session: booksSession(
      { config: cfg, dataDir: dir.path, env: {}, log: nullLogger, dbLease: createDbLease() },
      { stallMs: 300 },
    ),
  });
  try {
    sup.start();
    await s.held;
    const st = sup.state();
    assert.equal(st.sessions, 3);
    assert.equal(st.restarts, 2);
    assert.match(st.lastError?.message ?? "", /no verified book written for 300 ms/);
    assert.ok(connections >= 3, `${connections} connections`);
    const { statuses } = await readComponentStatuses(dir.path);
    const mine = statuses.find((x) => x.component === "supervisor.t_drop");
    assert.equal(mine?.state, "running");
    assert.ok((mine?.consecutive_failures ?? 0) >= 1);
  } finally {
    await sup.stop();
    await server.shutdown();
  }
  assert.equal((await readComponentStatuses(dir.path)).statuses[0].state, "stopped");
});

Deno.test("supervisor: the Kraken book session keeps the hot tier fresh and stops promptly on shutdown", async () => {
  await using dir = await tempDir();
  const ws = startFakeKraken({ pairs: ["XMR/USD", "OMG/USD"], batch: 1, paceMs: 20 });
  const cfg = await defaultConfig((c) => {
    c.kraken.ws_url = ws.url;
    c.kraken.symbols = ["XMR/USD", "OMG/USD"];
    c.kraken.book_depth = 1000; // the recorded session's depth
    c.kraken.hot_snapshot_interval_ms = 100;
    c.persistence.enabled = false;
  });
  const sup = createSupervisor({
    name: "t_live",
    log: nullLogger,
    statusEveryMs: 3_600_000,
    writeStatus: (st) => writeComponentStatus(dir.path, st),
    session: booksSession({
      config: cfg,
      dataDir: dir.path,
      env: {},
      log: nullLogger,
      dbLease: createDbLease(),
    }),
  });
  try {
    sup.start();
    // Consecutive checks: each sees a strictly newer hot snapshot than the one before.
    let prev = 0;
    for (let i = 0; i < 3; i++) {
      let seen = prev;
      await until(`hot snapshot newer than ${prev}`, async () => {
        const snaps = await readMicrostructure(dir.path, "kraken", Date.now());
        seen = Math.max(0, ...[...snaps.values()].map((x) => x.ts));
        return seen > prev;
      }, { deadlineMs: 30_000, intervalMs: 20 });
      assert.ok(seen <= Date.now(), "PIT: no snapshot from the future");
      prev = seen;
    }
    const st = sup.state();
    assert.equal(st.running, true);
    assert.equal(st.restarts, 0);
    assert.equal(st.consecutiveFailures, 0);
    assert.notEqual(st.lastProgressAt, null);
    assert.equal(await metricValue("cryptorun_supervised_running", 'component="t_live"'), 1);
  } finally {
    await sup.stop();
    await ws.close();
  }
  // Stopped: no session running, nothing left open (the sanitizers check timers and sockets).
  assert.equal(sup.state().running, false);
  assert.equal(await metricValue("cryptorun_supervised_running", 'component="t_live"'), 0);
  const { statuses } = await readComponentStatuses(dir.path);
  assert.equal(statuses[0].state, "stopped");
  assert.notEqual(statuses[0].last_success_at, null);
});
