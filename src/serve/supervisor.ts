import type { Logger } from "../log/logger.ts";
import { redact } from "../log/redact.ts";
import { lastErrorTimestamp, supervisedRestarts, supervisedRunning } from "../metrics/metrics.ts";
import type { ComponentStatusInput } from "../health/status_store.ts";
import { backoffDelay } from "../providers/kraken/ws_client.ts";
import { realTimers, type Timers } from "./scheduler.ts";
import { sleepUnlessAborted } from "../util/sleep.ts";

/**
 * A continuous session under supervision (`serve --with-ingest`'s live Kraken book session): started once,
 * restarted whenever it ends or fails — after a capped exponential backoff with full jitter (the same
 * `backoffDelay` as the WebSocket reconnects) — and stopped cleanly on `stop()`. Unlike a scheduler job it
 * has no ticks: it never counts as a skipped tick. Its state goes to the component status store
 * (`supervisor.<name>`, refreshed every `statusEveryMs`, so health sees a dead process as silent) and to
 * `cryptorun_supervised_restarts_total` / `cryptorun_supervised_running`.
 */

/**
 * One session. Runs until `signal` aborts (then resolves) or until it cannot go on (rejects, or resolves on
 * its own — both restart it). Calls `progress()` whenever it delivered data (e.g. wrote hot snapshots):
 * that is its success, which resets the backoff and the failure count.
 */
export type SupervisedSession = (signal: AbortSignal, progress: () => void) => Promise<unknown>;

export interface SupervisorOptions {
  /** Bounded metric label and status name: "kraken_books". */
  name: string;
  session: SupervisedSession;
  log: Logger;
  /** First restart delay and cap (ms); defaults 1 s and 60 s. Delay n = uniform [0, min(cap, base·2^n)]. */
  baseMs?: number;
  capMs?: number;
  /** How often the status file is refreshed while supervising (default 30 s). */
  statusEveryMs?: number;
  writeStatus?: (status: ComponentStatusInput) => Promise<void>;
  /** Injected clock/timers and randomness (tests); production uses the real ones. */
  timers?: Timers;
  random?: () => number;
  /** Waits `ms` unless `signal` aborts first (resolves false then). Default: a real timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<boolean>;
}

export interface SupervisorState {
  name: string;
  /** A session is running now. */
  running: boolean;
  /** Sessions started so far (the first one included). */
  sessions: number;
  restarts: number;
  /** Last time a session delivered data (epoch ms). */
  lastProgressAt: number | null;
  lastError: { at: number; message: string } | null;
  /** Sessions that ended or failed since data was last delivered. */
  consecutiveFailures: number;
  /** Delays chosen before each restart (ms), newest last (at most 32 kept). */
  delays: number[];
}

export interface Supervisor {
  start(): void;
  state(): SupervisorState;
  /** Aborts the running session (or the backoff wait), waits for it to end, writes a "stopped" status. */
  stop(): Promise<void>;
}

const errMsg = (err: unknown) =>
  redact(((err as Error)?.message ?? String(err)).split("\n")[0]).slice(0, 500);

export function createSupervisor(o: SupervisorOptions): Supervisor {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(o.name)) {
    throw new Error(`supervisor: bad name ${JSON.stringify(o.name)}`);
  }
  const timers = o.timers ?? realTimers;
  const base = o.baseMs ?? 1_000;
  const cap = o.capMs ?? 60_000;
  const statusEveryMs = o.statusEveryMs ?? 30_000;
  const sleep = o.sleep ?? sleepUnlessAborted;
  const random = o.random ?? Math.random;
  const log = o.log.child({ component: o.name });
  const labels = { component: o.name };
  const st: SupervisorState = {
    name: o.name,
    running: false,
    sessions: 0,
    restarts: 0,
    lastProgressAt: null,
    lastError: null,
    consecutiveFailures: 0,
    delays: [],
  };
  const stopCtl = new AbortController();
  let loop: Promise<void> | undefined;
  let heartbeat: unknown;
  let writing: Promise<void> = Promise.resolve();
  supervisedRestarts.inc(labels, 0);
  supervisedRunning.set(labels, 0);
  lastErrorTimestamp.set({ component: `supervisor.${o.name}` }, 0); // 0: no error since the start

  function persist(state: "running" | "stopped"): Promise<void> {
    if (!o.writeStatus) return Promise.resolve();
    const status: ComponentStatusInput = {
      component: `supervisor.${o.name}`,
      updated_at: timers.now(),
      last_success_at: st.lastProgressAt,
      last_error: st.lastError,
      consecutive_failures: st.consecutiveFailures,
      backlog: {},
      state,
      interval_ms: state === "running" ? statusEveryMs : null,
    };
    // Serialised: a late heartbeat never overwrites the final "stopped" status.
    writing = writing.then(() => o.writeStatus!(status)).catch((err) =>
      log.warn("supervisor: cannot write status", { err })
    );
    return writing;
  }

  function armHeartbeat(): void {
    heartbeat = timers.set(() => {
      if (stopCtl.signal.aborted) return;
      persist("running");
      armHeartbeat();
    }, statusEveryMs);
  }

  async function supervise(): Promise<void> {
    let attempt = 0;
    while (!stopCtl.signal.aborted) {
      if (st.sessions > 0) {
        const delay = backoffDelay(attempt, base, cap, random);
        st.delays.push(delay);
        if (st.delays.length > 32) st.delays.shift();
        attempt++;
        log.warn("supervisor: restarting session", {
          restart: st.restarts + 1,
          delay_ms: Math.round(delay),
        });
        if (!(await sleep(delay, stopCtl.signal))) break;
        st.restarts++;
        supervisedRestarts.inc(labels);
      }
      st.sessions++;
      st.running = true;
      supervisedRunning.set(labels, 1);
      let progressed = false;
      const progress = () => {
        const first = !progressed;
        progressed = true;
        st.lastProgressAt = timers.now();
        if (first && st.consecutiveFailures > 0) {
          // Recovered: health should stop reporting the component as failing right away.
          st.consecutiveFailures = 0;
          persist("running");
        } else st.consecutiveFailures = 0;
      };
      let failure: string | undefined;
      try {
        await o.session(stopCtl.signal, progress);
        if (!stopCtl.signal.aborted) failure = "session ended on its own";
      } catch (err) {
        if (!stopCtl.signal.aborted) failure = errMsg(err);
      }
      st.running = false;
      supervisedRunning.set(labels, 0);
      if (progressed) attempt = 0;
      if (failure !== undefined) {
        st.lastError = { at: timers.now(), message: failure };
        st.consecutiveFailures++;
        lastErrorTimestamp.set({ component: `supervisor.${o.name}` }, st.lastError.at / 1000);
        log.error("supervisor: session ended", { error: failure, failures: st.consecutiveFailures });
        await persist("running");
      }
    }
  }

  return {
    start() {
      if (loop) throw new Error("supervisor: already started");
      log.info("supervisor: starting");
      persist("running");
      armHeartbeat();
      loop = supervise();
    },
    state: () => ({ ...st, delays: [...st.delays] }),
    async stop() {
      if (stopCtl.signal.aborted) return;
      stopCtl.abort(new Error("supervisor stopped"));
      if (heartbeat !== undefined) timers.clear(heartbeat);
      await loop;
      supervisedRunning.set(labels, 0);
      await persist("stopped");
      log.info("supervisor: stopped", { sessions: st.sessions, restarts: st.restarts });
    },
  };
}
