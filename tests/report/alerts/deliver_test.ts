import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { ReportAlertsSection } from "../../../src/config/sections/report.ts";
import { nullLogger } from "../../../src/log/logger.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { deliverAlerts } from "../../../src/report/alerts/deliver.ts";
import { evaluateAlerts } from "../../../src/report/alerts/rules.ts";
import { tempDir } from "../../helpers/tmp.ts";

const ALERTS = evaluateAlerts(0.4, ["BTC/USD", "ETH/USD", "XRP/USD"], [[1, 0.9, 0.1], [0.9, 1, 0.2], [
  0.1,
  0.2,
  1,
]], {
  min_sharpe: 1,
  max_pair_corr: 0.65,
});

async function counter(channel: string, outcome: string): Promise<number> {
  const m = await registry.getSingleMetric("cryptorun_report_alerts_total")!.get();
  return m.values.find((v) => v.labels.channel === channel && v.labels.outcome === outcome)?.value ?? 0;
}

/** A loopback HTTP receiver whose answers are scripted per request (a status, or "hang"). */
function receiver(answers: (number | "hang")[]) {
  const bodies: unknown[] = [];
  const ac = new AbortController();
  let i = 0;
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: () => {} },
    async (req) => {
      bodies.push(await req.json());
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a === "hang") await new Promise((r) => setTimeout(r, 3_000));
      return new Response("x", { status: a === "hang" ? 200 : a });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/T000/B000/secretpart`,
    bodies,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
    },
  };
}

const cfg = (over: Record<string, unknown> = {}) =>
  ReportAlertsSection.parse({ timeout_ms: 300, attempts: 3, ...over });

Deno.test("alerts: Sharpe below the minimum and a pair above the correlation cap, each pair once", () => {
  assert.deepEqual(ALERTS.map((a) => a.key), ["sharpe_below_min", "pair_corr_above_max:BTC/USD|ETH/USD"]);
  assert.deepEqual(evaluateAlerts(NaN, [], [], { min_sharpe: 1, max_pair_corr: 0.65 }), []);
});

Deno.test("webhook: Slack-compatible POST; a repeat within dedupe_ms is not sent again", async () => {
  await using dir = await tempDir();
  await using rx = receiver([200]);
  const deps = {
    config: cfg(),
    env: { CRYPTORUN_ALERT_WEBHOOK_URL: rx.url },
    log: nullLogger,
    statePath: `${dir.path}/s.json`,
    backoffMs: 5,
  };
  const before = await counter("webhook", "sent");
  const [o] = await deliverAlerts(ALERTS, "test", deps);
  assert.deepEqual({ ...o }, { channel: "webhook", sent: 2, deduped: 0, failed: 0 });
  assert.equal(rx.bodies.length, 1);
  assert.match((rx.bodies[0] as { text: string }).text, /Sharpe 0\.400 is below.*\n.*BTC\/USD and ETH\/USD/s);
  assert.equal(await counter("webhook", "sent"), before + 2);
  const [again] = await deliverAlerts(ALERTS, "test", deps);
  assert.deepEqual({ ...again }, { channel: "webhook", sent: 0, deduped: 2, failed: 0 });
  assert.equal(rx.bodies.length, 1, "deduped: nothing sent");
  // After the dedupe window it goes again.
  const later = await deliverAlerts(ALERTS, "test", { ...deps, now: () => Date.now() + 7 * 3_600_000 });
  assert.equal(later[0].sent, 2);
});

Deno.test("webhook answering 500: retried, then the failure is recorded and counted — never thrown, URL not shown", async () => {
  await using dir = await tempDir();
  await using rx = receiver([500]);
  const before = await counter("webhook", "failed");
  const [o] = await deliverAlerts(ALERTS, "test", {
    config: cfg(),
    env: { CRYPTORUN_ALERT_WEBHOOK_URL: rx.url },
    log: nullLogger,
    statePath: `${dir.path}/s.json`,
    backoffMs: 5,
  });
  assert.equal(rx.bodies.length, 3, "3 attempts");
  assert.equal(o.failed, 2);
  assert.match(o.error!, /HTTP 500 \(127\.0\.0\.1:\d+, 3 attempts\)/);
  assert.doesNotMatch(o.error!, /secretpart/);
  assert.equal(await counter("webhook", "failed"), before + 2);
  // Nothing was recorded as sent: the next run tries again.
  assert.equal(await Deno.stat(`${dir.path}/s.json`).then(() => true, () => false), false);
});

Deno.test("webhook that hangs: each attempt times out, then recorded; a 4xx is not retried", async () => {
  await using dir = await tempDir();
  {
    await using rx = receiver(["hang"]);
    const t0 = Date.now();
    const [o] = await deliverAlerts(ALERTS, "test", {
      config: cfg({ attempts: 2 }),
      env: { CRYPTORUN_ALERT_WEBHOOK_URL: rx.url },
      log: nullLogger,
      statePath: `${dir.path}/s.json`,
      backoffMs: 5,
    });
    assert.equal(o.failed, 2);
    assert.match(o.error!, /no answer within 300 ms .*2 attempts/);
    assert.ok(Date.now() - t0 < 2_500, "bounded by the timeouts, not by the server");
  }
  await using rx = receiver([404]);
  const [o] = await deliverAlerts(ALERTS, "test", {
    config: cfg(),
    env: { CRYPTORUN_ALERT_WEBHOOK_URL: rx.url },
    log: nullLogger,
    statePath: `${dir.path}/s2.json`,
    backoffMs: 5,
  });
  assert.equal(rx.bodies.length, 1);
  assert.match(o.error!, /HTTP 404 .*1 attempt\)/);
});

Deno.test("email: SMTP to a loopback smtp-server receiver, with the alerts in the body", async () => {
  await using dir = await tempDir();
  const got: { from: string; to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, cb) {
      let data = "";
      stream.on("data", (c: Uint8Array) => (data += new TextDecoder().decode(c)));
      stream.on("end", () => {
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        cb();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  const port = (server.server.address() as { port: number }).port;
  try {
    const [o] = await deliverAlerts(ALERTS, "test", {
      config: cfg({ email_to: ["ops@example.org"], email_from: "cryptorun@example.org" }),
      env: { CRYPTORUN_ALERT_SMTP_URL: `smtp://127.0.0.1:${port}` },
      log: nullLogger,
      statePath: `${dir.path}/s.json`,
      backoffMs: 5,
    });
    assert.deepEqual({ ...o }, { channel: "email", sent: 2, deduped: 0, failed: 0 });
    assert.equal(got.length, 1);
    assert.deepEqual(got[0].to, ["ops@example.org"]);
    assert.match(got[0].data, /Subject: CryptoRun report: 2 alert\(s\)/);
    assert.match(got[0].data, /Sharpe 0\.400 is below/);
  } finally {
    await new Promise<void>((res) => server.close(() => res()));
  }
});

Deno.test("email to a port nobody listens on: retried, recorded as failed, not thrown", async () => {
  await using dir = await tempDir();
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const [o] = await deliverAlerts(ALERTS, "test", {
    config: cfg({ email_to: ["ops@example.org"], attempts: 2 }),
    env: { CRYPTORUN_ALERT_SMTP_URL: `smtp://127.0.0.1:${port}` },
    log: nullLogger,
    statePath: `${dir.path}/s.json`,
    backoffMs: 5,
  });
  assert.equal(o.failed, 2);
  assert.match(o.error!, /2 attempts/);
});
