import assert from "node:assert/strict";
import { dirname } from "node:path";
import { ROOT } from "../helpers/deploy_smoke.ts";
import { tempDir } from "../helpers/tmp.ts";

const dec = new TextDecoder();

async function scanTask(path?: string) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "scan:secrets", ...(path ? [path] : [])],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** A copy of the files git tracks (or would add): the tree CI scans. */
async function copyTree(dst: string): Promise<void> {
  const r = await new Deno.Command("git", {
    args: ["-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    stdout: "piped",
  }).output();
  for (const f of dec.decode(r.stdout).split("\0").filter(Boolean)) {
    await Deno.mkdir(dirname(`${dst}/${f}`), { recursive: true });
    await Deno.copyFile(`${ROOT}${f}`, `${dst}/${f}`).catch(() => {});
  }
}

// Fake credentials, assembled at run time so this source file itself holds none.
const FAKE_AWS_SECRET = ["9drTJvcX", "LB89EXAM", "PL3ZdyCK", "P7oxgJFs", "M1jYQPxC"].join("");
const FAKE_KRAKEN_SECRET = "kR4k" + "Zm9vYmFy".repeat(10) + "AB==";

Deno.test("scan:secrets: the real tree passes", async () => {
  const r = await scanTask();
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.err, /0 finding\(s\), \d+ allowlisted, 0 stale/);
});

Deno.test("scan:secrets: a planted AWS key and a planted Kraken API secret fail a copy of the tree", async () => {
  await using dir = await tempDir("cryptorun-scan-");
  await copyTree(dir.path);
  const clean = await scanTask(dir.path);
  assert.equal(clean.code, 0, clean.out + clean.err);

  assert.equal(FAKE_KRAKEN_SECRET.length, 88);
  await Deno.writeTextFile(
    `${dir.path}/src/leak_aws.ts`,
    `export const aws_secret_access_key = "${FAKE_AWS_SECRET}";\n`,
  );
  await Deno.writeTextFile(`${dir.path}/config/leak.env`, `KRAKEN_API_SECRET=${FAKE_KRAKEN_SECRET}\n`);
  const r = await scanTask(dir.path);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^src\/leak_aws\.ts:1:\d+ @secretlint\/secretlint-rule-aws$/m);
  assert.match(r.out, /^config\/leak\.env:1:\d+ cryptorun\/kraken$/m);
  assert.ok(
    !r.out.includes(FAKE_AWS_SECRET) && !r.out.includes(FAKE_KRAKEN_SECRET),
    "findings never echo the secret",
  );
  assert.match(r.err, /2 finding\(s\)/);
});

Deno.test("scan:secrets: an allowlist entry without a reason, or one matching nothing, fails", async () => {
  await using dir = await tempDir("cryptorun-scan-");
  await Deno.mkdir(`${dir.path}/security`);
  await Deno.writeTextFile(`${dir.path}/a.txt`, `postgres://u:${"p4ss" + "w0rd1"}@db:5432/x\n`);
  await Deno.writeTextFile(
    `${dir.path}/security/secret-scan-allowlist.yaml`,
    `- path: a.txt\n  rule: "@secretlint/secretlint-rule-database-connection-string"\n  reason: ""\n`,
  );
  const noReason = await scanTask(dir.path);
  assert.equal(noReason.code, 2);
  assert.match(noReason.err, /every allowlist entry needs a reason/);

  await Deno.writeTextFile(
    `${dir.path}/security/secret-scan-allowlist.yaml`,
    `- path: a.txt\n  rule: "@secretlint/secretlint-rule-database-connection-string"\n  reason: a made-up test DSN\n` +
      `- path: gone.txt\n  rule: "@secretlint/secretlint-rule-aws"\n  reason: a file that was deleted\n`,
  );
  const stale = await scanTask(dir.path);
  assert.equal(stale.code, 1);
  assert.match(stale.out, /stale entry \(matches nothing\): gone\.txt/);
  assert.match(stale.err, /0 finding\(s\), 1 allowlisted, 1 stale/);
});
