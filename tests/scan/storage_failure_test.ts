// `scan` with the database unreachable: the ranking it computed is printed all the same, and the storage
// failure is reported on its own (exit 1), naming host:port only (issue #13; it used to print nothing).
import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { refusedPort } from "../helpers/ports.ts";

Deno.test("scan with the database unreachable prints the ranking, then fails naming host:port only", async () => {
  await using dir = await tempDir();
  const port = refusedPort();
  const env = {
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PERSISTENCE_MAX_RETRIES: "0",
    CRYPTORUN_PG_DSN: `postgres://bob_scanner:pw-Wombat-77@127.0.0.1:${port}/cr`,
  };
  const d = ["--data-dir", dir.path];
  const json = await runCliCaptured([...d, "--json", "scan", "--as-of", "2022-06-15T12:00:00Z"], env);
  assert.equal(json.code, 1, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.ok(out.results.length > 0, "the ranking is printed");
  assert.deepEqual(
    out.results.map((r: { rank: number }) => r.rank),
    out.results.map((_: unknown, i: number) => i + 1),
  );
  const err = JSON.parse(json.stderr.trim().split("\n").at(-1)!);
  assert.equal(err.exit, 1);
  assert.match(
    err.message,
    new RegExp(
      `^scan ranked ${out.results.length} pairs \\(printed\\) but storing premove artifacts \\(postgres\\): .*127\\.0\\.0\\.1:${port}`,
    ),
  );
  for (const part of ["bob_scanner", "pw-Wombat-77"]) {
    assert.ok(!(json.stdout + json.stderr).includes(part), part);
  }

  const table = await runCliCaptured([...d, "scan", "--as-of", "2022-06-15T12:00:00Z", "--top", "3"], env);
  assert.equal(table.code, 1, table.stderr);
  assert.match(table.stdout, /^rank +symbol/m);
  assert.match(table.stdout, /^ +1 +[A-Z]+\/USD/m);
  assert.match(table.stderr, /cryptorun: scan ranked \d+ pairs \(printed\) but storing premove artifacts/);

  // --dry-run touches no sink: exit 0.
  const dry = await runCliCaptured([...d, "scan", "--as-of", "2022-06-15T12:00:00Z", "--dry-run"], env);
  assert.equal(dry.code, 0, dry.stderr);
});
