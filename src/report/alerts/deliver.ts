import { backOff } from "exponential-backoff";
import type { ReportConfig } from "../../config/sections/report.ts";
import type { Logger } from "../../log/logger.ts";
import { reportAlerts } from "../../metrics/registry.ts";
import { resolveSecret } from "../../secrets/mod.ts";
import { atomicWriteFile } from "../../util/atomic_write.ts";
import type { Alert } from "./rules.ts";

type AlertsConfig = ReportConfig["alerts"];
export type Channel = "webhook" | "email";

export interface DeliveryDeps {
  config: AlertsConfig;
  env: Record<string, string>;
  log: Logger;
  /** Dedupe state file (JSON: channel → alert key → last sent, epoch ms). */
  statePath: string;
  now?: () => number;
  /** Backoff start (ms); tests shorten it. */
  backoffMs?: number;
}

export interface DeliveryOutcome {
  channel: Channel;
  sent: number;
  deduped: number;
  failed: number;
  /** Why it failed (never a secret: the URL is not shown). */
  error?: string;
}

/** Which host a URL points at, for messages (never its path, user or password). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(an unparsable URL)";
  }
}

/** The message of a batch of alerts: a Slack-compatible `text`, one line per alert. */
export function alertText(alerts: Alert[], context: string): string {
  return [`CryptoRun report alert (${context}):`, ...alerts.map((a) => `• ${a.summary}`)].join("\n");
}

class Permanent extends Error {}

async function postWebhook(url: string, text: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    throw new Error(
      e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `request failed (${e.name})`,
    );
  }
  await res.body?.cancel();
  if (res.status >= 500 || res.status === 429) throw new Error(`HTTP ${res.status}`);
  if (!res.ok) throw new Permanent(`HTTP ${res.status}`);
}

async function sendEmail(
  url: string,
  cfg: AlertsConfig,
  subject: string,
  text: string,
): Promise<void> {
  // npm:nodemailer: loaded only when an email goes out.
  const nodemailer = (await import("nodemailer")).default;
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: cfg.timeout_ms,
    greetingTimeout: cfg.timeout_ms,
    socketTimeout: cfg.timeout_ms,
  } as Record<string, unknown>);
  try {
    await transport.sendMail({ from: cfg.email_from, to: cfg.email_to.join(", "), subject, text });
  } catch (err) {
    const e = err as Error & { responseCode?: number; code?: string };
    const why = `${e.code ?? e.name}${e.responseCode ? ` ${e.responseCode}` : ""}`;
    if (e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600) {
      throw new Permanent(why);
    }
    throw new Error(why);
  } finally {
    transport.close();
  }
}

async function readState(path: string): Promise<Record<string, Record<string, number>>> {
  try {
    const j = JSON.parse(await Deno.readTextFile(path));
    return typeof j === "object" && j !== null ? j : {};
  } catch {
    return {};
  }
}

/**
 * Sends the alerts on every configured channel — a Slack-compatible webhook (POST {"text": …}) and SMTP email —
 * each with a per-attempt timeout, `attempts` tries with exponential backoff and full jitter (HTTP 5xx/429,
 * timeouts and network errors are retried; other 4xx and SMTP 5xx are not), and dedupe: an alert key sent on a
 * channel within `dedupe_ms` is not sent again there. Never throws: a failure is logged (host only — the URLs
 * are secrets) and counted in cryptorun_report_alerts_total{channel, outcome}.
 */
export async function deliverAlerts(
  alerts: Alert[],
  context: string,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome[]> {
  const cfg = deps.config;
  const now = (deps.now ?? Date.now)();
  const out: DeliveryOutcome[] = [];
  if (alerts.length === 0) return out;
  const state = await readState(deps.statePath);
  let changed = false;
  const channels: { channel: Channel; url?: string }[] = [];
  try {
    const wh = await resolveSecret(
      { env: cfg.webhook_url_env, file: cfg.webhook_url_file },
      "report.alerts.webhook_url",
      deps.env,
    );
    channels.push({ channel: "webhook", url: wh.value });
    const smtp = await resolveSecret(
      { env: cfg.smtp_url_env, file: cfg.smtp_url_file },
      "report.alerts.smtp_url",
      deps.env,
    );
    channels.push({ channel: "email", url: smtp.value && cfg.email_to.length ? smtp.value : undefined });
  } catch (err) {
    deps.log.warn("report alerts: a channel's secret could not be read", { error: (err as Error).message });
  }
  for (const { channel, url } of channels) {
    if (!url) continue;
    for (const o of ["sent", "failed", "deduped"]) reportAlerts.inc({ channel, outcome: o }, 0);
    const seen = state[channel] ??= {};
    const fresh = alerts.filter((a) => !(seen[a.key] !== undefined && now - seen[a.key] < cfg.dedupe_ms));
    const o: DeliveryOutcome = { channel, sent: 0, deduped: alerts.length - fresh.length, failed: 0 };
    reportAlerts.inc({ channel, outcome: "deduped" }, o.deduped);
    if (fresh.length > 0) {
      const text = alertText(fresh, context);
      let attempts = 0;
      try {
        await backOff(async () => {
          attempts++;
          if (channel === "webhook") await postWebhook(url, text, cfg.timeout_ms);
          else await sendEmail(url, cfg, `CryptoRun report: ${fresh.length} alert(s)`, text);
        }, {
          numOfAttempts: cfg.attempts,
          startingDelay: deps.backoffMs ?? 500,
          maxDelay: 10_000,
          jitter: "full",
          retry: (e) => !(e instanceof Permanent),
        });
        o.sent = fresh.length;
        for (const a of fresh) seen[a.key] = now;
        changed = true;
        reportAlerts.inc({ channel, outcome: "sent" }, fresh.length);
      } catch (err) {
        o.failed = fresh.length;
        o.error = `${(err as Error).message} (${hostOf(url)}, ${attempts} attempt${
          attempts === 1 ? "" : "s"
        })`;
        reportAlerts.inc({ channel, outcome: "failed" }, fresh.length);
        deps.log.warn("report alerts: delivery failed", { channel, error: o.error });
      }
    }
    out.push(o);
  }
  if (changed) {
    try {
      await atomicWriteFile(deps.statePath, JSON.stringify(state, null, 2) + "\n");
    } catch (err) {
      deps.log.warn("report alerts: dedupe state not saved", { error: (err as Error).message });
    }
  }
  return out;
}
