// Config edges of issue #13: one listen validator for `health --config-only` and `serve`, URLs with a password
// refused in every non-secret key (naming the key, never the password), env override errors blamed on the
// variable, never on a YAML line.
import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

async function withConfig(yaml: string, fn: (argv: string[]) => Promise<void>): Promise<void> {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/cryptorun.yaml`, yaml);
  await fn(["--config", `${dir.path}/cryptorun.yaml`, "--data-dir", `${dir.path}/data`]);
}

Deno.test("metrics.listen: health --config-only and serve refuse the same bad address with the same message", async () => {
  const cases: Array<[string, RegExp]> = [
    ["999.1.1.1:99999", /999\.1\.1\.1 is not an IPv4 address/],
    ["127.0.0.1:99999", /port 99999 is out of range \(0–65535/],
    ["256.0.0.1:80", /256\.0\.0\.1 is not an IPv4 address/],
    ["my_host:80", /my_host is not a host name/],
    ["[zz::q]:80", /\[zz::q\] is not an IPv6 address/],
    ["9464", /expected host:port/],
  ];
  for (const [value, why] of cases) {
    await withConfig(`metrics:\n  listen: "${value}"\n`, async (argv) => {
      const health = await runCliCaptured([...argv, "health", "--config-only"]);
      const serve = await runCliCaptured([...argv, "serve"]);
      for (const [name, r] of [["health --config-only", health], ["serve", serve]] as const) {
        assert.equal(r.code, 2, `${name} ${value}: ${r.stderr}`);
        assert.match(r.stderr, /cryptorun\.yaml:2:\d+: metrics\.listen: /, `${name} ${value}`);
        assert.match(r.stderr, why, `${name} ${value}`);
        assert.ok(r.stderr.includes(`found ${JSON.stringify(value)}`), `${name}: ${r.stderr}`);
      }
      assert.equal(health.stderr, serve.stderr, "one validator, one message");
    });
  }
  // serve --listen uses the same validator.
  const flag = await runCliCaptured(["serve", "--listen", "999.1.1.1:9464"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--listen: 999\.1\.1\.1 is not an IPv4 address.*found "999\.1\.1\.1:9464"/);
  // Good ones still pass.
  for (const ok of ["127.0.0.1:0", "0.0.0.0:9464", "[::1]:9464", "localhost:9464", "metrics.internal:80"]) {
    await withConfig(`metrics:\n  listen: "${ok}"\n`, async (argv) => {
      const r = await runCliCaptured([...argv, "health", "--config-only"]);
      assert.equal(r.code, 0, `${ok}: ${r.stderr}`);
    });
  }
});

Deno.test("a URL with a password in any non-secret key is refused naming the key, never the password", async () => {
  const PW = "pw-Zebra-4417";
  const keys: Array<[string, string, string]> = [
    ["cryptorun.yaml", "stream", "pulsar_ws_url"],
    ["data_sources.yaml", "kraken", "ws_url"],
    ["data_sources.yaml", "kraken", "rest_base_url"],
  ];
  for (const [file, section, key] of keys) {
    await using dir = await tempDir();
    await Deno.writeTextFile(`${dir.path}/cryptorun.yaml`, "app:\n  log_level: info\n");
    const url = key === "rest_base_url"
      ? `https://admin:${PW}@api.example`
      : `ws://admin:${PW}@127.0.0.1:8080/ws`;
    await Deno.writeTextFile(`${dir.path}/${file}`, `${section}:\n  ${key}: ${url}\n`);
    const argv = ["--config", `${dir.path}/cryptorun.yaml`];
    for (
      const cmd of [["health", "--config-only"], ["health", "--config-only", "--json"], ["scan", "--dry-run"]]
    ) {
      const r = await runCliCaptured([...argv, ...cmd]);
      assert.equal(r.code, 2, `${section}.${key} ${cmd.join(" ")}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(`${file.replace(".", "\\.")}:2:\\d+: ${section}\\.${key}: a URL with a password`),
      );
      assert.ok(!(r.stdout + r.stderr).includes(PW), `${section}.${key}: the password leaked`);
    }
    // The same value through an env override names the variable.
    const env = { [`CRYPTORUN_${section.toUpperCase()}_${key.toUpperCase()}`]: url };
    const r = await runCliCaptured(["health", "--config-only"], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `environment CRYPTORUN_${section.toUpperCase()}_${key.toUpperCase()}: ${section}\\.${key}: a URL with a password`,
      ),
    );
    assert.ok(!(r.stdout + r.stderr).includes(PW));
  }
  // A URL with a user but no password, or none at all, is fine.
  const ok = await runCliCaptured(["health", "--config-only"], {
    CRYPTORUN_STREAM_PULSAR_WS_URL: "ws://svc@127.0.0.1:8080/ws/v2",
  });
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("a bad env override is blamed on the variable, never on a YAML line", async () => {
  const r = await runCliCaptured(["health", "--config-only"], { CRYPTORUN_SCAN_QUOTES: "USD,,USDT" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^cryptorun: environment CRYPTORUN_SCAN_QUOTES: scan\.quotes\.1: .*found ""/);
  assert.doesNotMatch(r.stderr, /\.yaml/);
  // Also with a config file that sets the same key (the file's line is not the culprit).
  await withConfig("scan:\n  quotes: [USD]\n", async (argv) => {
    const f = await runCliCaptured([...argv, "health", "--config-only"], {
      CRYPTORUN_SCAN_QUOTES: "USD,,USDT",
    });
    assert.equal(f.code, 2);
    assert.match(f.stderr, /^cryptorun: environment CRYPTORUN_SCAN_QUOTES: scan\.quotes\.1: /);
    assert.doesNotMatch(f.stderr, /\.yaml/);
  });
  const nested = await runCliCaptured(["health", "--config-only"], {
    CRYPTORUN_KRAKEN_SYMBOLS: "BTC/USD,btc-usd",
  });
  assert.equal(nested.code, 2);
  assert.match(nested.stderr, /environment CRYPTORUN_KRAKEN_SYMBOLS: kraken\.symbols\.1: /);
});
