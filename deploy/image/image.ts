/**
 * The container image, described once. Two Dockerfiles are rendered from this description:
 *
 * - `release` (the committed /Dockerfile): a `denoland/deno` build stage compiles the least-permission binary
 *   (`deno task compile`), the final stage is distroless (`gcr.io/distroless/cc-debian12`: glibc, CA
 *   certificates, no shell) running as the non-root user that owns /data.
 * - `test` (rendered by tests/deploy/image_test.ts into a temp build context): base images cannot be pulled
 *   on our machines, so both stages start `FROM scratch` plus a root filesystem assembled from the host's
 *   Debian packages (glibc, CA certificates: deploy/image/rootfs.ts), and Deno from npm runs main.ts with the
 *   same least permissions, because the compile runtime (denort) cannot be downloaded here.
 *
 * Everything else — the user, data volume and its ownership, environment, port, health check and command — is
 * the same text in both, so the image the tests build and run cannot drift from the one users build.
 *
 * Regenerate the committed Dockerfile: `deno task gen` (tests/deploy/image_test.ts fails when it is stale).
 */

import { ENTRY_PATHS } from "../../src/util/entries.ts";

export const DENO_VERSION = "2.9.6";
/** distroless's `nonroot` user and group; numeric so Kubernetes' runAsNonRoot can verify it. */
export const UID = 65532;
export const DATA_DIR = "/data";
export const APP_DIR = "/app";
export const PORT = 9464;

/** Environment of the running container (config overrides: docs/CONFIG.md). */
export const IMAGE_ENV: Record<string, string> = {
  CRYPTORUN_APP_DATA_DIR: DATA_DIR,
  // Inside a container serve must bind every interface for a published port to reach it.
  CRYPTORUN_METRICS_LISTEN: `0.0.0.0:${PORT}`,
  // Mounted secrets (compose `secrets:`, a Kubernetes Secret volume): one file per secret env var name.
  CRYPTORUN_SECRETS_DIR: "/run/secrets",
  DENO_NO_UPDATE_CHECK: "1",
};

/**
 * Hosts the image may reach besides those the config names: the compose services (docker-compose.yml). A
 * deployment with other database or broker hosts passes its own: `--build-arg ALLOW_HOSTS=db.example:5432`.
 */
export const DEFAULT_ALLOW_HOSTS = ["postgres:5432", "redis:6379"];

/**
 * Build-context paths the program needs (code, config, migrations, recorded fixtures for the first scan, the
 * report templates).
 */
export const SOURCES = [
  ["deno.json deno.lock", "./"],
  ["main.ts", "./"],
  ["src", "./src"],
  ["scripts", "./scripts"],
  ["config", "./config"],
  ["migrations", "./migrations"],
  ["fixtures", "./fixtures"],
  ["artifacts/templates", "./artifacts/templates"],
] as const;

/**
 * What `deno install --entrypoint` caches: main.ts and the modules the CLI loads by a run-time specifier
 * (src/util/entries.ts), whose packages main.ts alone does not reach.
 */
export const INSTALL_ENTRYPOINTS = ["main.ts", ...ENTRY_PATHS];

export const CMD = ["serve", "--with-ingest", "--with-scan"];
export const HEALTHCHECK_OPTS = "--interval=30s --timeout=5s --start-period=30s --retries=3";

export interface Variant {
  name: "release" | "test";
  /** Lines of the build stage before the sources are copied (base image, toolchain). */
  buildBase: string[];
  /** Lines of the build stage after the sources: produce what the final stage copies. */
  buildSteps: string[];
  /** First lines of the final stage. */
  finalBase: string[];
  /** What the final stage copies from the build stage besides the data dir. */
  finalCopies: string[];
  /** argv of `cryptorun` inside the final image. */
  cryptorun: string[];
}

const json = (a: readonly string[]) => JSON.stringify(a).replaceAll('","', '", "');

/** The release variant: compile in denoland/deno, run the binary on distroless. */
export function releaseVariant(): Variant {
  return {
    name: "release",
    buildBase: [`FROM denoland/deno:${DENO_VERSION} AS build`],
    buildSteps: [
      `ARG ALLOW_HOSTS=${DEFAULT_ALLOW_HOSTS.join(",")}`,
      `RUN deno install --frozen --entrypoint ${INSTALL_ENTRYPOINTS.join(" ")} \\`,
      `  && deno task compile --config=${APP_DIR}/config/cryptorun.yaml --data-dir=${DATA_DIR} \\`,
      "       --allow-host=${ALLOW_HOSTS} --output=/out/cryptorun",
    ],
    finalBase: ["FROM gcr.io/distroless/cc-debian12:nonroot"],
    finalCopies: [
      `COPY --from=build /out/cryptorun /out/cryptorun.sha256 ${APP_DIR}/`,
      `COPY --from=build ${APP_DIR}/config ${APP_DIR}/config`,
    ],
    cryptorun: [`${APP_DIR}/cryptorun`],
  };
}

/** The test variant: FROM scratch + a Debian rootfs, Deno from npm running main.ts with `permissions`. */
export function testVariant(permissions: string[]): Variant {
  return {
    name: "test",
    buildBase: ["FROM scratch AS build", "COPY rootfs/ /"],
    buildSteps: [
      // The vendored npm packages (`deno install --node-modules-dir`, dev-only ones pruned).
      "COPY node_modules ./node_modules",
    ],
    finalBase: ["FROM scratch", "COPY rootfs/ /"],
    finalCopies: [`COPY --from=build ${APP_DIR} ${APP_DIR}`],
    cryptorun: [
      "/usr/bin/deno",
      "run",
      "--cached-only",
      "--node-modules-dir=manual",
      "--frozen",
      ...permissions,
      `${APP_DIR}/main.ts`,
    ],
  };
}

/** Renders the Dockerfile of a variant. */
export function renderDockerfile(v: Variant): string {
  const env = Object.entries(IMAGE_ENV).map(([k, val]) => `${k}=${val}`).join(" \\\n    ");
  const lines = [
    "# syntax=docker/dockerfile:1",
    "# GENERATED from deploy/image/image.ts (one description for this image and the one the tests build and",
    "# run): edit that file, then `deno task gen`.",
    "",
    `# Stage 1 (${v.name}): build.`,
    ...v.buildBase,
    `WORKDIR ${APP_DIR}`,
    ...SOURCES.map(([src, dst]) => `COPY ${src} ${dst}`),
    `ENV ${env}`,
    ...v.buildSteps,
    // The data volume's mount point, owned by the runtime user (no shell in the final stage: made here).
    `RUN ["/usr/bin/deno", "eval", "Deno.mkdirSync('/staging${DATA_DIR}', { recursive: true }); Deno.mkdirSync('/staging/tmp', { mode: 0o1777 }); Deno.chmodSync('/staging/tmp', 0o1777)"]`,
    "",
    "# Stage 2: minimal runtime (glibc, CA certificates, no shell), non-root.",
    ...v.finalBase,
    `WORKDIR ${APP_DIR}`,
    ...v.finalCopies,
    `COPY --from=build --chown=${UID}:${UID} /staging${DATA_DIR} ${DATA_DIR}`,
    "COPY --from=build /staging/tmp /tmp",
    `USER ${UID}:${UID}`,
    `ENV ${env} \\\n    DENO_DIR=/tmp/deno`,
    `VOLUME ["${DATA_DIR}"]`,
    `EXPOSE ${PORT}`,
    "# The health check asks the running serve (its /readyz): a second process cannot open the embedded",
    "# database serve holds.",
    `HEALTHCHECK ${HEALTHCHECK_OPTS} CMD ${
      json([...v.cryptorun, "health", "--server", `http://127.0.0.1:${PORT}`])
    }`,
    `ENTRYPOINT ${json(v.cryptorun)}`,
    `CMD ${json(CMD)}`,
    "",
  ];
  return lines.join("\n");
}
