/**
 * The single binary and its least permissions.
 *
 * `deno compile` writes its runtime (denort) plus the embedded program. Deno's servers, where denort is
 * downloaded from, are unreachable on our machines and no registry we reach ships denort, so these tests hand
 * `deno compile` the deno CLI binary as DENORT_BIN: that proves the compile task (module graph, includes, npm
 * excludes, wasm assets, permission flags, checksum file), but such a binary starts the deno CLI, not the
 * embedded program. Running the binary therefore needs a real denort: set DENORT_BIN to one and the test that
 * runs it is no longer ignored. The same smoke run (tests/helpers/deploy_smoke.ts) runs here for real with
 * `deno run` under exactly the binary's permission flags, which is what proves those flags suffice.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { binaryPermissions, COMPILE_INCLUDES } from "../../scripts/compile.ts";
import { ENTRY_PATHS } from "../../src/util/entries.ts";
import { freePort, localTarget, ROOT, smoke, SMOKE_CSV } from "../helpers/deploy_smoke.ts";
import { tempDir } from "../helpers/tmp.ts";

const npmCache = (JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
  ),
) as { npmCache: string }).npmCache;

/** The wasm assets main.ts needs at run time, as files of their npm packages. */
const WASM_ASSETS = [
  "registry.npmjs.org/parquet-wasm/0.8.0/node/parquet_wasm_bg.wasm",
  "registry.npmjs.org/@electric-sql/pglite/0.5.14/dist/pglite.wasm",
  "registry.npmjs.org/@electric-sql/pglite/0.5.14/dist/pglite.data",
];

async function compile(out: string, dataDir: string, port: number, denort: string) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile", `--output=${out}`, `--data-dir=${dataDir}`],
    cwd: ROOT,
    env: { DENORT_BIN: denort, NO_COLOR: "1", CRYPTORUN_METRICS_LISTEN: `127.0.0.1:${port}` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, err: new TextDecoder().decode(r.stderr) };
}

Deno.test("deno task compile: scoped permissions, wasm assets embedded, a checksum file next to the binary", async () => {
  await using dir = await tempDir("cryptorun-compile-");
  const out = `${dir.path}/dist/cryptorun`;
  const r = await compile(out, `${dir.path}/data`, 9464, Deno.execPath());
  assert.equal(r.code, 0, r.err.slice(-2000));
  // The data files, then every module the CLI loads by a run-time specifier (src/util/entries.ts).
  const includes = [...COMPILE_INCLUDES, ...ENTRY_PATHS].map((p) => `--include ${p}`).join(" ");
  assert.ok(r.err.includes(`${includes} --exclude-unused-npm`), r.err.slice(0, 2000));
  // Least permissions: read/write unscoped (Deno creates the cold tier's commit symlink only so) with the system
  // directories denied — except /tmp, which holds this test's data dir —, net to the named hosts only; never
  // an unscoped net and never --allow-all or --allow-run/ffi.
  const cmd = r.err.split("\n").find((l) => l.startsWith("compile: deno compile"))!;
  assert.ok(cmd.includes(`--allow-read --deny-read=/etc/gshadow,/etc/shadow,/etc/ssh,/root/.ssh `), cmd);
  assert.match(cmd, /--allow-write --deny-write=\/bin,\/boot,\/etc,\S*,\/usr,\/var /);
  assert.doesNotMatch(cmd, /--deny-write=\S*\/tmp\b/, "the data dir's ancestor stays writable");
  assert.ok(cmd.includes("--allow-net=127.0.0.1,127.0.0.1:9464,api.kraken.com:443,ws.kraken.com:443 "), cmd);
  assert.doesNotMatch(cmd, /--allow-(all|run|ffi)\b|\s-A\s|--allow-net\s/);

  const bin = Buffer.from(await Deno.readFile(out));
  assert.ok(bin.length > 10_000_000, `binary size ${bin.length}`);
  // Every module the CLI loads by a run-time specifier is embedded: its longest plain string literal is in
  // the binary (without the --include of the entries, `report --performance`'s usage error is not: checked
  // by hand, 2026-12-05, and the binary lost 60 MB of npm packages).
  for (const entry of ENTRY_PATHS) {
    const literals = [...(await Deno.readTextFile(`${ROOT}${entry}`)).matchAll(/"([^"\\\n]{20,})"/g)]
      .map((m) => m[1]).sort((a, b) => b.length - a.length);
    assert.ok(literals.length > 0, `${entry}: no string literal to look for`);
    assert.ok(bin.indexOf(Buffer.from(literals[0])) >= 0, `${entry} is not embedded (${literals[0]})`);
  }
  for (const asset of WASM_ASSETS) {
    const bytes = await Deno.readFile(`${npmCache}/${asset}`);
    // A 4 KiB run from the middle of the asset appears verbatim in the binary.
    const mid = Math.floor(bytes.length / 2);
    assert.ok(bin.indexOf(Buffer.from(bytes.subarray(mid, mid + 4096))) >= 0, `${asset} is embedded`);
  }

  const sum = await new Deno.Command("sha256sum", {
    args: ["-c", "cryptorun.sha256"],
    cwd: `${dir.path}/dist`,
  })
    .output();
  assert.equal(sum.code, 0, new TextDecoder().decode(sum.stderr));
  assert.match(new TextDecoder().decode(sum.stdout), /^cryptorun: OK$/m);
  // And the check can fail: one flipped byte is caught.
  const f = await Deno.open(out, { write: true });
  await f.seek(1000, Deno.SeekMode.Start);
  await f.write(new Uint8Array([bin[1000] ^ 0xff]));
  f.close();
  const bad = await new Deno.Command("sha256sum", {
    args: ["-c", "cryptorun.sha256"],
    cwd: `${dir.path}/dist`,
  })
    .output();
  assert.notEqual(bad.code, 0);
});

Deno.test("the binary's permission flags are derived from the config: hosts, data dir, secret hosts", async () => {
  const env = {
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PG_DSN: "postgres://u:hunter2@db.internal:6543/x",
    CRYPTORUN_STREAM_KIND: "kafka",
    CRYPTORUN_STREAM_KAFKA_BROKERS: "k1:9092,k2:9092",
    CRYPTORUN_KRAKEN_REST_BASE_URL: "https://rest.example:8443",
    CRYPTORUN_METRICS_LISTEN: "0.0.0.0:9464",
  };
  const p = await binaryPermissions({ dataDir: "/data", extraHosts: ["ingest.example:443"], env });
  // The config (config/cryptorun.yaml of this checkout) stays writable-adjacent: the system directory that
  // holds the checkout (e.g. /tmp for a clone there) is not denied; every other one is.
  const configDir = `${Deno.cwd()}/config`;
  const system =
    "/bin,/boot,/etc,/home,/lib,/lib32,/lib64,/libx32,/opt,/proc,/root,/run,/sbin,/srv,/sys,/tmp,/usr,/var";
  const denied = system.split(",").filter((d) => !configDir.startsWith(d + "/"));
  assert.deepEqual(p, [
    "--allow-read",
    "--deny-read=/etc/gshadow,/etc/shadow,/etc/ssh,/root/.ssh",
    "--allow-write",
    `--deny-write=${denied.join(",")}`,
    "--allow-net=0.0.0.0:9464,127.0.0.1:9464,db.internal:6543,ingest.example:443,k1:9092,k2:9092," +
    "rest.example:8443,ws.kraken.com:443",
    "--allow-env",
    "--allow-sys=hostname",
  ]);
  assert.ok(!p.join(" ").includes("hunter2"), "a secret contributes its host only");
});

Deno.test("the smoke run passes under exactly the binary's permissions (deno run, scoped flags)", async () => {
  await using dir = await tempDir("cryptorun-perm-");
  const dataDir = `${dir.path}/data`;
  await Deno.mkdir(`${dataDir}/import`, { recursive: true });
  await Deno.copyFile(SMOKE_CSV, `${dataDir}/import/slice.csv`);
  const port = freePort();
  const perms = await binaryPermissions({ dataDir, env: { CRYPTORUN_METRICS_LISTEN: `127.0.0.1:${port}` } });
  // Reads are unscoped (the code and the npm packages of a run from source are readable as they are).
  await smoke(
    localTarget(Deno.execPath(), ["run", "--cached-only", ...perms, `${ROOT}main.ts`], dataDir, port),
  );
  // The flags really confine it: writing into a system directory is refused, and nothing is created there.
  const denied = `/var/tmp/cryptorun-denied-${crypto.randomUUID().slice(0, 8)}`;
  const outside = await localTarget(
    Deno.execPath(),
    ["run", "--cached-only", ...perms, `${ROOT}main.ts`],
    dataDir,
    port,
  )
    .run(["--data-dir", denied, "cold", "write", "--input", `${dataDir}/import/slice.csv`]);
  assert.notEqual(outside.code, 0);
  assert.match(outside.stderr, new RegExp(`cannot use ${denied}\\S*: system locations`), outside.stderr);
  await assert.rejects(Deno.stat(denied), Deno.errors.NotFound);
});

const denort = Deno.env.get("DENORT_BIN");
Deno.test({
  name: "the compiled binary runs: --version, health --config-only, cold write + dump, serve /healthz " +
    "(ignored unless DENORT_BIN names Deno's denort runtime: deno compile cannot download it on our machines, " +
    "and a binary built on the deno CLI starts the CLI, not the program)",
  ignore: !denort,
  async fn() {
    await using dir = await tempDir("cryptorun-bin-");
    const dataDir = `${dir.path}/data`;
    await Deno.mkdir(`${dataDir}/import`, { recursive: true });
    await Deno.copyFile(SMOKE_CSV, `${dataDir}/import/slice.csv`);
    const port = freePort();
    const r = await compile(`${dir.path}/cryptorun`, dataDir, port, denort!);
    assert.equal(r.code, 0, r.err.slice(-2000));
    await smoke(localTarget(`${dir.path}/cryptorun`, [], dataDir, port));
  },
});

Deno.test("the binary may reach report.alerts' webhook and SMTP hosts (secrets: host:port only)", async () => {
  const p = await binaryPermissions({
    dataDir: "/data",
    env: {
      CRYPTORUN_ALERT_WEBHOOK_URL: "https://hooks.example.org/services/T0/B0/not-a-real-token",
      CRYPTORUN_ALERT_SMTP_URL: "smtp://alerts:pw-not-real@mail.example.org",
      CRYPTORUN_REPORT_ALERTS_EMAIL_TO: '["ops@example.org"]',
    },
  });
  const net = p.find((f) => f.startsWith("--allow-net="))!;
  assert.ok(net.includes("hooks.example.org:443") && net.includes("mail.example.org:587"), net);
  assert.ok(!p.join(" ").includes("not-a-real-token") && !p.join(" ").includes("pw-not-real"));
});
