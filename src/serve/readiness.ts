import type { Logger } from "../log/logger.ts";
import { redactValue } from "../log/redact.ts";
import { healthCheckOk, latency } from "../metrics/registry.ts";
import {
  type CheckResult,
  type HealthCheck,
  type HealthInput,
  runChecks,
  summaryLine,
} from "../health/check.ts";

export interface ReadinessReport {
  ok: boolean;
  summary: string;
  checks: CheckResult[];
  /** Epoch ms when the checks ran. */
  at: number;
}

export interface Readiness {
  /** The latest report, re-running the checks when it is older than `maxAgeMs` (single flight). */
  report(maxAgeMs?: number): Promise<ReadinessReport>;
  /** Background refresh every `refreshMs` (keeps the health gauges current between scrapes). */
  start(): void;
  stop(): Promise<void>;
}

export interface ReadinessOptions {
  checks: HealthCheck[];
  /** Builds the input of one run (fresh `now`). */
  input: (signal: AbortSignal) => HealthInput;
  refreshMs: number;
  log: Logger;
}

/**
 * Runs the health checks for `serve`: on demand for /readyz (cached for a short while, one run at a time, so
 * a burst of probes cannot stampede the database) and in the background to keep
 * cryptorun_health_check_ok{check} and the freshness gauges current.
 */
export function createReadiness(opts: ReadinessOptions): Readiness {
  let last: ReadinessReport | undefined;
  let running: Promise<ReadinessReport> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopCtl = new AbortController();
  let stopped = false;

  async function runOnce(): Promise<ReadinessReport> {
    const end = latency.startTimer({ component: "health_checks" });
    try {
      const checks = redactValue(await runChecks(opts.checks, opts.input(stopCtl.signal))) as CheckResult[];
      for (const c of checks) healthCheckOk.set({ check: c.name }, c.ok ? 1 : 0);
      const summary = summaryLine(checks);
      const r: ReadinessReport = { ok: summary === "OK", summary, checks, at: Date.now() };
      if (last && last.ok !== r.ok) {
        (r.ok ? opts.log.info : opts.log.warn)("readiness changed", { summary });
      }
      last = r;
      return r;
    } finally {
      end();
    }
  }

  function report(maxAgeMs = opts.refreshMs): Promise<ReadinessReport> {
    if (last && Date.now() - last.at < maxAgeMs) return Promise.resolve(last);
    running ??= runOnce().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      report(0).catch((err) => opts.log.error("health checks failed", { err })).finally(schedule);
    }, opts.refreshMs);
  }

  return {
    report,
    start() {
      report(0).catch((err) => opts.log.error("health checks failed", { err })).finally(schedule);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      stopCtl.abort();
      await running?.catch(() => {});
    },
  };
}
