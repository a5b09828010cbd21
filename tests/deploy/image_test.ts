/**
 * The container image, built and run for real with podman (Debian's podman + runc; STACK.md: the default crun
 * runtime fails on this kernel's cgroups, and default ulimits are refused, hence `--runtime runc` and a
 * containers.conf without them). Base images cannot be pulled here, so the test builds the `test` variant of
 * the one image description (deploy/image/image.ts): FROM scratch plus a rootfs from the host's Debian
 * packages, Deno from npm running main.ts with the image's least permissions. The committed Dockerfile is the
 * `release` variant of the same description.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { leastPermissions } from "../../src/deploy/permissions.ts";
import { redact } from "../../src/log/redact.ts";
import {
  APP_DIR,
  DATA_DIR,
  DEFAULT_ALLOW_HOSTS,
  IMAGE_ENV,
  INSTALL_ENTRYPOINTS,
  PORT,
  releaseVariant,
  renderDockerfile,
  SOURCES,
  testVariant,
  UID,
} from "../../deploy/image/image.ts";
import { buildRootfs } from "../../deploy/image/rootfs.ts";
import { freePort, ROOT, smoke } from "../helpers/deploy_smoke.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";

const dec = new TextDecoder();

/** npm packages only tests and benchmarks import (inline `npm:` specifiers): not in the image. */
const DEV_ONLY_NPM = [/^@duckdb\+/, /^autocannon@/, /^@duckdb$/, /^autocannon$/];

Deno.test("the committed Dockerfile is the release variant of deploy/image/image.ts", async () => {
  assert.equal(
    await Deno.readTextFile(`${ROOT}Dockerfile`),
    renderDockerfile(releaseVariant()),
    "Dockerfile is stale: run `deno task gen`",
  );
});

async function podman(args: string[], conf: string, opts: { check?: boolean } = {}) {
  const r = await new Deno.Command("podman", {
    args: ["--runtime", "runc", ...args],
    env: { CONTAINERS_CONF: conf },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  if (opts.check !== false && r.code !== 0) {
    throw new Error(`podman ${args.slice(0, 3).join(" ")} … exited ${r.code}: ${out.stderr.slice(-2000)}`);
  }
  return out;
}

/** The test image's permissions: the binary's, for /data and the image env, plus the source tree. */
async function imagePermissions(): Promise<string[]> {
  const { config } = await loadConfig({ configPath: `${ROOT}config/cryptorun.yaml`, env: IMAGE_ENV });
  return leastPermissions({
    config,
    dataDir: DATA_DIR,
    configPath: `${APP_DIR}/config/cryptorun.yaml`,
    sourceRoot: APP_DIR,
    extraHosts: DEFAULT_ALLOW_HOSTS,
    extraReads: [IMAGE_ENV.CRYPTORUN_SECRETS_DIR],
  });
}

async function buildContext(ctx: string): Promise<void> {
  await buildRootfs(`${ctx}/rootfs`, Deno.execPath());
  for (const [srcs] of SOURCES) {
    for (const src of srcs.split(" ")) {
      // Keep the path (artifacts/templates → ctx/artifacts/templates), as the Dockerfile's COPY expects.
      const parent = `${ctx}/${src}`.replace(/\/[^/]+$/, "");
      await Deno.mkdir(parent, { recursive: true });
      const r = await new Deno.Command("cp", { args: ["-a", `${ROOT}${src}`, `${parent}/`] }).output();
      assert.ok(r.success, `copy ${src}`);
    }
  }
  // Vendor the npm packages from Deno's cache (no download), then drop the dev-only ones.
  const inst = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--node-modules-dir=auto", "--frozen", "--entrypoint", ...INSTALL_ENTRYPOINTS],
    cwd: ctx,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(inst.success, dec.decode(inst.stderr));
  for (const dir of [`${ctx}/node_modules`, `${ctx}/node_modules/.deno`]) {
    for (const e of Deno.readDirSync(dir)) {
      if (DEV_ONLY_NPM.some((re) => re.test(e.name))) {
        await Deno.remove(`${dir}/${e.name}`, { recursive: true });
      }
    }
  }
  await Deno.writeTextFile(`${ctx}/Dockerfile`, renderDockerfile(testVariant(await imagePermissions())));
}

Deno.test("the image builds, runs as non-root on its data volume, answers /healthz, passes its HEALTHCHECK", async () => {
  await using dir = await tempDir("cryptorun-image-");
  const conf = `${dir.path}/containers.conf`;
  await Deno.writeTextFile(conf, "[containers]\ndefault_ulimits = []\n");
  const ctx = `${dir.path}/ctx`;
  await Deno.mkdir(ctx);
  await buildContext(ctx);
  const tag = `localhost/cryptorun-test:${Deno.pid}`;
  const volume = `cryptorun-test-data-${Deno.pid}`;
  const containers: string[] = [];
  try {
    await podman(["build", "--format", "docker", "--layers=false", "--quiet", "-t", tag, ctx], conf);

    // Offline checks of the built image: user, volume, health check, nothing secret in its config/history.
    const [img] = JSON.parse((await podman(["image", "inspect", tag], conf)).stdout);
    assert.equal(img.Config.User ?? img.User, `${UID}:${UID}`);
    assert.deepEqual(Object.keys(img.Config.Volumes ?? {}), [DATA_DIR]);
    const hc = img.Healthcheck ?? img.Config.Healthcheck;
    assert.equal(hc?.Test?.[0], "CMD", JSON.stringify(img).slice(0, 1000));
    assert.deepEqual(hc.Test.slice(-3), [
      "health",
      "--server",
      `http://127.0.0.1:${PORT}`,
    ]);
    const history = (await podman(["history", "--no-trunc", "--format", "{{.CreatedBy}}", tag], conf)).stdout;
    for (const text of [history, ...(img.Config.Env as string[])]) {
      assert.equal(redact(text), text, `a secret-looking value in the image: ${text.slice(0, 200)}`);
    }
    await assertNoSecretFiles(tag, conf, dir.path);

    await podman(["volume", "create", volume], conf);
    const port = freePort();
    await smoke({
      importCsv: `${APP_DIR}/fixtures/cold/ohlcv_kraken_1h_slice.csv`,
      url: `http://127.0.0.1:${port}`,
      listen: `0.0.0.0:${PORT}`,
      async run(args) {
        return await podman(["run", "--rm", "-v", `${volume}:${DATA_DIR}`, tag, ...args], conf, {
          check: false,
        });
      },
      async spawn(args) {
        const name = `cryptorun-serve-${Deno.pid}`;
        containers.push(name);
        await podman(
          [
            "run",
            "-d",
            "--name",
            name,
            "-p",
            `127.0.0.1:${port}:${PORT}`,
            "-v",
            `${volume}:${DATA_DIR}`,
            // The imported slice is Kraken's January 2020: readiness would (rightly) call it stale.
            "-e",
            `CRYPTORUN_HEALTH_COLD_MAX_AGE_MS=${20 * 365 * 86_400_000}`,
            tag,
            ...args,
          ],
          conf,
        );
        // The image's HEALTHCHECK passes once serve is ready.
        let last = "";
        const hc = await until("podman healthcheck run", async () => {
          const r = await podman(["healthcheck", "run", name], conf, { check: false });
          last = r.stdout + r.stderr;
          return r.code === 0 ? r : undefined;
        }, { deadlineMs: 60_000, intervalMs: 1000 }).catch(async (err) => {
          const logs = await podman(["logs", name], conf, { check: false });
          const ins = await podman(["container", "inspect", name], conf, { check: false });
          last += JSON.stringify(
            JSON.parse(ins.stdout || "[{}]")[0]?.State?.Health ??
              JSON.parse(ins.stdout || "[{}]")[0]?.State?.Healthcheck,
          );
          throw new Error(
            `${err.message}: ${last}\n--- container log ---\n${logs.stdout}${logs.stderr}`.slice(-4000),
          );
        });
        assert.equal(hc.code, 0);
        const [ctr] = JSON.parse((await podman(["container", "inspect", name], conf)).stdout);
        assert.equal(ctr.Config.User, `${UID}:${UID}`, "the container runs as the non-root user");
        return {
          async stop() {
            await podman(["stop", "-t", "30", name], conf);
            const [done] = JSON.parse((await podman(["container", "inspect", name], conf)).stdout);
            return done.State.ExitCode as number;
          },
        };
      },
    });
    // What the container wrote on its volume belongs to the non-root user.
    const [vol] = JSON.parse((await podman(["volume", "inspect", volume], conf)).stdout);
    const parts = [...Deno.readDirSync(`${vol.Mountpoint}/cold/ohlcv`)];
    assert.ok(parts.length > 0);
    assert.equal((await Deno.stat(`${vol.Mountpoint}/cold/ohlcv/${parts[0].name}`)).uid, UID);
    assert.equal((await Deno.stat(vol.Mountpoint)).uid, UID, "the volume root is the user's");
  } finally {
    for (const c of containers) await podman(["rm", "-f", c], conf, { check: false });
    await podman(["volume", "rm", "-f", volume], conf, { check: false });
    await podman(["rmi", "-f", tag], conf, { check: false });
  }
});

/** No file in any layer looks like a credential (keys, .env files, npm/git credentials). */
async function assertNoSecretFiles(tag: string, conf: string, tmp: string): Promise<void> {
  const archive = `${tmp}/image.tar`;
  await podman(["save", "--format", "docker-archive", "-o", archive, tag], conf);
  const list = await new Deno.Command("tar", { args: ["-xOf", archive, "manifest.json"], stdout: "piped" })
    .output();
  const [manifest] = JSON.parse(dec.decode(list.stdout));
  const files: string[] = [];
  for (const layer of manifest.Layers as string[]) {
    const r = await new Deno.Command("sh", {
      args: ["-c", `tar -xOf "${archive}" "${layer}" | tar -t`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(r.success, dec.decode(r.stderr));
    files.push(...dec.decode(r.stdout).split("\n").filter(Boolean));
  }
  assert.ok(files.some((f) => f.endsWith("usr/bin/deno")), "layers were listed");
  const secretish =
    /(^|\/)(\.env(\..*)?|id_(rsa|ed25519|ecdsa)|\.npmrc|\.netrc|\.git-credentials|.*\.(pem|key|p12|pfx))$/;
  // The CA bundle is public certificates, not a key.
  const found = files.filter((f) => secretish.test(f) && !f.endsWith("ca-certificates.crt"));
  assert.deepEqual(found, []);
  await Deno.remove(archive);
}
