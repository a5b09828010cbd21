// CLI edges of issue #13 (each failed before its fix): negative numbers for numeric flags say "negative", not
// "argument is ambiguous"; `stream verify --input <dir>` names the path; a --data-dir Deno refuses is a plain
// message naming the path (no --allow-all hint a binary user cannot act on); live ingest that never connected
// exits non-zero saying why.
import assert from "node:assert/strict";
import { describeFsError } from "../../src/util/fs_errors.ts";
import { runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { refusedPort } from "../helpers/ports.ts";

const FIX = new URL("../../fixtures/kraken/", import.meta.url).pathname;

Deno.test("every numeric flag given a negative number says it is negative (exit 2), never 'ambiguous'", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const cases: Array<[string[], RegExp]> = [
    [["scan", "--top", "-1"], /--top: expected a positive integer, found "-1" \(negative\)/],
    [["scan", "--top", "-0.5"], /--top: .*found "-0\.5" \(negative\)/],
    [["scan", "--top", "0"], /--top: .*found "0" \(zero\)/],
    [["scan", "--top", "2.5"], /--top: .*found "2\.5" \(not a whole number\)/],
    [
      ["cold", "write", "--input", "x.csv", "--row-group-size", "-10"],
      /--row-group-size: .*"-10" \(negative\)/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--max-rows-per-file", "-1"],
      /--max-rows-per-file: .*\(negative\)/,
    ],
    [["stream", "consume", "--max", "-5"], /--max: .*found "-5" \(negative\)/],
    [["stream", "consume", "--batch", "-5"], /--batch: .*found "-5" \(negative\)/],
    [
      ["stream", "verify", "--input", "x.ndjson", "--max-failures", "-2"],
      /--max-failures: .*"-2" \(negative\)/,
    ],
    [["db", "migrate", "--to", "-3"], /--to: expected a migration version .*found "-3" \(negative\)/],
    [["ingest", "--symbols", "BTC/USD", "--duration", "-5s"], /--duration: .*\(negative.*found "-5s"/],
    [["stream", "consume", "--idle", "-1s"], /--idle: .*\(negative.*found "-1s"/],
    [
      ["stream", "publish", "--from", "2024-01-01", "--to", "2024-01-02", "--window", "-1d"],
      /--window: .*\(negative.*found "-1d"/,
    ],
    [["serve", "--with-scan", "--scan-every", "-5m"], /--scan-every: .*\(negative.*found "-5m"/],
    [["serve", "--with-ingest", "--ingest-every", "-5m"], /--ingest-every: .*\(negative.*found "-5m"/],
    [["cold", "dump", "--from", "-5", "--to", "2024-01-01"], /--from: a negative epoch .*found "-5"/],
    [["scan", "--as-of", "-1704067200000"], /--as-of: a negative epoch .*found "-1704067200000"/],
    // A flag followed by another flag: its value is missing, said plainly.
    [["cold", "write", "--input", "--json"], /--input: missing value \(the next argument --json is a flag\)/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCliCaptured([...d, ...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(" "));
    assert.doesNotMatch(r.stderr, /ambiguous/, argv.join(" "));
  }
});

Deno.test("stream verify --input <dir> names the path and says it is a directory", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured(["stream", "verify", "--input", dir.path]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `cryptorun: --input: ${JSON.stringify(dir.path)} is a directory, not an NDJSON file`,
  );
});

Deno.test("--data-dir under /sys or /proc: a plain message naming the path, no Deno --allow-all hint (real process)", async () => {
  for (const argv of [["cold", "stats"], ["scan", "--dry-run"]]) {
    const r = await spawnCli(["--data-dir", "/sys/cryptorun-test", ...argv]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^cryptorun: cannot use \/sys\/cryptorun-test\/\S*: system locations such as \/proc, \/sys/,
    );
    assert.doesNotMatch(r.stderr, /allow-all|run again with/);
  }
});

Deno.test("describeFsError: Deno's filesystem errors become one plain line naming the path", () => {
  const E = Deno.errors;
  assert.equal(
    describeFsError(new E.PermissionDenied("Permission denied (os error 13): mkdir '/srv/data/cold'")),
    "/srv/data/cold: permission denied (os error 13)",
  );
  assert.equal(
    describeFsError(new E.NotADirectory("Not a directory (os error 20): mkdir '/etc/hostname/x'")),
    "/etc/hostname/x: a parent of it is not a directory (os error 20)",
  );
  assert.equal(
    describeFsError(
      new E.NotCapable(`Requires all access to "/proc/x", run again with the --allow-all flag`),
    ),
    "cannot use /proc/x: system locations such as /proc, /sys and /dev are off-limits to cryptorun; choose " +
      "another path (e.g. --data-dir)",
  );
  // No path in the message, or not a filesystem error: left to the caller.
  assert.equal(describeFsError(new E.IsADirectory("Is a directory (os error 21)")), undefined);
  assert.equal(describeFsError(new Error("boom")), undefined);
});

Deno.test("live ingest that never connected during --duration exits 1 and says why (refusing loopback port)", async () => {
  await using dir = await tempDir();
  const port = refusedPort();
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--symbols",
    "XMR/USD",
    "--asset-pairs",
    `${FIX}rest/asset_pairs_2021-04-17.json`,
    "--duration",
    "1500ms",
  ], { CRYPTORUN_KRAKEN_WS_URL: `ws://127.0.0.1:${port}/v2`, CRYPTORUN_KRAKEN_RECONNECT_MAX_MS: "500" });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `ingest: never connected to ws://127\\.0\\.0\\.1:${port}/v2 during --duration 1500ms \\([1-9]\\d* attempt\\(s\\); last error: .+\\); nothing ingested`,
    ),
  );
  assert.doesNotMatch(r.stdout, /messages/);
});
