import { lastErrorTimestamp, queueBacklog } from "../metrics/metrics.ts";
import type { CheckResult, HealthInput } from "./check.ts";
import { formatAge } from "./freshness.ts";
import type { ComponentStatus } from "./status_store.ts";

/** Grace on top of 3 missed intervals before a running component counts as silent. */
const SILENCE_GRACE_MS = 60_000;

export interface ComponentsVerdict {
  ok: boolean;
  problems: string[];
  lastError: { component: string; at: number; message: string } | null;
  backlog: Record<string, number>;
}

/**
 * Pure: judges component statuses. Fails on a component whose last run failed, a running component that
 * went silent, or a backlog over the limit. The most recent error is always returned (even when healthy).
 */
export function judgeComponents(
  statuses: ComponentStatus[],
  nowMs: number,
  maxBacklog: number,
): ComponentsVerdict {
  const problems: string[] = [];
  let lastError: ComponentsVerdict["lastError"] = null;
  const backlog: Record<string, number> = {};
  for (const s of statuses) {
    if (s.last_error && (!lastError || s.last_error.at > lastError.at)) {
      lastError = { component: s.component, ...s.last_error };
    }
    if (s.consecutive_failures > 0) {
      problems.push(
        `${s.component} failing (${s.consecutive_failures} in a row${
          s.last_error
            ? `, last ${formatAge(Math.max(0, nowMs - s.last_error.at))} ago: ${s.last_error.message}`
            : ""
        })`,
      );
    }
    if (s.state === "running" && s.interval_ms !== null) {
      const silent = nowMs - s.updated_at;
      if (silent > 3 * s.interval_ms + SILENCE_GRACE_MS) {
        problems.push(
          `${s.component} silent for ${formatAge(silent)} (reports every ${formatAge(s.interval_ms)})`,
        );
      }
    }
    for (const [q, n] of Object.entries(s.backlog)) {
      const key = `${s.component}.${q}`;
      backlog[key] = n;
      if (n > maxBacklog) problems.push(`${key} backlog ${n} > ${maxBacklog}`);
    }
  }
  return { ok: problems.length === 0, problems, lastError, backlog };
}

/** Schedulers and other long-running components: last error, failures in a row, silence, backlogs. */
export async function componentsCheck(input: HealthInput): Promise<CheckResult> {
  const name = "components";
  const { statuses, invalid } = await input.sources.componentStatuses();
  const now = input.now.getTime();
  const v = judgeComponents(statuses, now, input.config.health.max_backlog);
  for (const s of statuses) {
    if (s.last_error) lastErrorTimestamp.set({ component: s.component }, s.last_error.at / 1000);
  }
  for (const [q, n] of Object.entries(v.backlog)) queueBacklog.set({ queue: q }, n);
  const problems = [...v.problems, ...invalid.map((i) => `unreadable status ${i}`)];
  const details = {
    components: statuses.map((s) => ({
      component: s.component,
      state: s.state,
      last_success_at: s.last_success_at,
      consecutive_failures: s.consecutive_failures,
    })),
    last_error: v.lastError,
    backlog: v.backlog,
  };
  if (problems.length > 0) return { name, ok: false, reason: problems.join(", "), details };
  return {
    name,
    ok: true,
    reason: statuses.length === 0 ? "no components reporting" : `${statuses.length} components ok`,
    details,
  };
}
