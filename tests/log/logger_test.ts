import assert from "node:assert/strict";
import { createLogger } from "../../src/log/logger.ts";
import { clearRegisteredSecrets, redact, registerSecret } from "../../src/log/redact.ts";

const SECRETS = {
  dsnPassword: "pg-P4ssw0rd!x",
  apiKey: "kR4k3nAp1K3yZZZ",
  apiSecret: "c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
  bearer: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF",
  redisPw: "r3d1s-pw",
  unregistered: "n0tR3g1st3r3d",
};

function capture(json: boolean) {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: "debug", json, sink: (l) => lines.push(l) }) };
}

Deno.test("the logger lets no secret through, JSON or text, message or field", () => {
  clearRegisteredSecrets();
  registerSecret(`postgres://svc:${SECRETS.dsnPassword}@db:5432/x`);
  for (const json of [true, false]) {
    const { lines, log } = capture(json);
    log.info(`connecting to postgres://svc:${SECRETS.dsnPassword}@db:5432/x`);
    log.warn("request", {
      headers: { Authorization: `Bearer ${SECRETS.bearer}` },
      api_key: SECRETS.apiKey,
      "API-Secret": SECRETS.apiSecret,
      url: `https://api.example.com/x?api_key=${SECRETS.apiKey}&pair=XBTUSD`,
    });
    log.error("redis failed", {
      err: new Error(`connect redis://:${SECRETS.redisPw}@127.0.0.1:6379 refused`),
    });
    log.debug(`libpq conninfo host=db password=${SECRETS.unregistered} user=svc`);
    log.info("the password alone", { detail: `it was ${SECRETS.dsnPassword}` });
    log.info(`json body {"apiSecret":"${SECRETS.apiSecret}"}`);
    const all = lines.join("\n");
    assert.equal(lines.length, 6);
    for (const [name, s] of Object.entries(SECRETS)) {
      assert.ok(!all.includes(s), `${name} leaked (json=${json}): ${all}`);
    }
    // Useful context survives.
    assert.match(all, /postgres:\/\/svc:\*\*\*@db:5432\/x/);
    assert.match(all, /pair=XBTUSD/);
    assert.match(all, /Bearer \*\*\*/);
    if (json) { for (const l of lines) JSON.parse(l); }
  }
  clearRegisteredSecrets();
});

Deno.test("redaction keeps non-secret text and *_env / *_file key names", () => {
  assert.equal(redact("dsn_env: CRYPTORUN_PG_DSN"), "dsn_env: CRYPTORUN_PG_DSN");
  assert.equal(redact("symbol=BTC/USD price=1.5"), "symbol=BTC/USD price=1.5");
  assert.equal(redact("token=abcd1234"), "token=***");
});

Deno.test("log levels filter; JSON lines carry ts, level, msg and fields", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", json: true, sink: (l) => lines.push(l), now: () => new Date(0) });
  log.info("hidden");
  log.warn("shown", { n: 1 });
  assert.equal(lines.length, 1);
  assert.deepEqual(JSON.parse(lines[0]), {
    ts: "1970-01-01T00:00:00.000Z",
    level: "warn",
    msg: "shown",
    n: 1,
  });
  const child = log.child({ component: "cold" });
  child.error("x");
  assert.equal(JSON.parse(lines[1]).component, "cold");
});
