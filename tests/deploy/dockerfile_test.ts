/**
 * Dockerfile lint, offline. hadolint is not installable on our machines (no npm or Debian package), so the
 * Dockerfile is checked by npm:dockerfile-utils (the VS Code Docker extension's validator: syntax, flags,
 * deprecated instructions) plus the hadolint rules that matter for this image, each implemented below with
 * its hadolint code and reason. Both variants of the image description are checked: the committed release
 * Dockerfile and the test variant tests/deploy/image_test.ts builds.
 */
import assert from "node:assert/strict";
import { validate } from "dockerfile-utils";
import { releaseVariant, renderDockerfile, testVariant, UID } from "../../deploy/image/image.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Logical instructions (continuations joined, comments dropped). */
export function instructions(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!cur && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      cur += line.slice(0, -1) + " ";
      continue;
    }
    out.push((cur + line).replace(/\s+/g, " ").trim());
    cur = "";
  }
  return out;
}

/** The lint findings of a Dockerfile: `RULE: message` strings (empty = clean). */
export function lint(text: string): string[] {
  const found: string[] = [];
  for (const d of validate(text)) {
    found.push(`dockerfile-utils(${d.code}): ${d.message} (line ${d.range.start.line + 1})`);
  }
  const ins = instructions(text);
  const froms = ins.filter((l) => /^FROM /i.test(l));
  const stages = new Set(froms.map((l) => / AS (\S+)$/i.exec(l)?.[1]).filter(Boolean));
  if (froms.length < 2) found.push("multi-stage: a build stage and a runtime stage");
  for (const f of froms) {
    const image = f.split(" ")[1];
    if (image === "scratch" || stages.has(image)) continue;
    // DL3006/DL3007: an untagged or `latest` base changes under you.
    if (!/:[\w][\w.-]*$/.test(image) || /:latest$/.test(image)) {
      found.push(`DL3006/DL3007: pin ${image} to a tag`);
    }
  }
  const final = ins.slice(ins.lastIndexOf(froms[froms.length - 1]));
  // DL3002: the last USER must not be root (numeric, so Kubernetes' runAsNonRoot can verify it).
  const user = final.filter((l) => l.startsWith("USER ")).pop();
  if (!user || !/^USER [1-9]\d*(:[1-9]\d*)?$/.test(user)) {
    found.push(`DL3002: final stage runs as ${user ?? "root"}`);
  }
  for (const l of ins) {
    // DL3020: ADD fetches URLs and unpacks archives implicitly; COPY does only what it says.
    if (/^ADD /.test(l)) found.push(`DL3020: use COPY instead of ADD: ${l}`);
    // DL3025: JSON (exec) form so signals reach the process (SIGTERM → graceful shutdown).
    if (/^(CMD|ENTRYPOINT) /.test(l) && !/^(CMD|ENTRYPOINT) \[/.test(l)) {
      found.push(`DL3025: JSON form: ${l}`);
    }
    if (/^HEALTHCHECK /.test(l) && !/ CMD \[/.test(l)) found.push(`DL3025: JSON form: ${l}`);
    // DL3000: WORKDIR absolute.
    if (/^WORKDIR /.test(l) && !/^WORKDIR \//.test(l)) found.push(`DL3000: absolute WORKDIR: ${l}`);
    // Secrets never go into ENV/ARG: both are stored in the image config, readable by anyone with the image.
    const m = /^(ENV|ARG) (.*)$/.exec(l);
    if (m) {
      for (const kv of m[2].split(" ")) {
        const name = kv.split("=")[0];
        // A name that only says where a secret is (…_DIR, …_FILE, …_ENV) holds none.
        if (
          /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|DSN|PRIVATE)/i.test(name) && !/_(DIR|FILE|ENV)$/i.test(name)
        ) {
          found.push(`secret in ${m[1]}: ${name}`);
        }
      }
    }
  }
  if (final.filter((l) => l.startsWith("HEALTHCHECK ")).length !== 1) {
    found.push("one HEALTHCHECK in the final stage");
  }
  if (!final.some((l) => l.startsWith("EXPOSE "))) found.push("EXPOSE the serve port");
  if (!final.some((l) => /^VOLUME \["\/data"\]$/.test(l))) found.push('VOLUME ["/data"]');
  if (!final.some((l) => l.includes(`--chown=${UID}:${UID}`) && l.endsWith(" /data"))) {
    found.push("/data must belong to the runtime user");
  }
  return found;
}

Deno.test("Dockerfile lint: both variants of the image description are clean", () => {
  assert.deepEqual(lint(renderDockerfile(releaseVariant())), []);
  assert.deepEqual(lint(renderDockerfile(testVariant(["--allow-read=/app,/data"]))), []);
});

Deno.test("Dockerfile lint: each rule catches what it is for", () => {
  const bad = [
    "FROM ubuntu",
    "FROM node:latest AS b",
    "ADD https://example.com/x /x",
    "WORKDIR app",
    "ENV CRYPTORUN_PG_DSN=postgres://u:p@h/x",
    "ARG API_TOKEN",
    "ENV CRYPTORUN_SECRETS_DIR=/run/secrets",
    "USER root",
    "CMD serve",
    "",
  ].join("\n");
  const found = lint(bad).join("\n");
  for (
    const rule of [
      "DL3006/DL3007: pin ubuntu",
      "DL3006/DL3007: pin node:latest",
      "DL3020",
      "DL3000",
      "secret in ENV: CRYPTORUN_PG_DSN",
      "secret in ARG: API_TOKEN",
      "DL3002: final stage runs as USER root",
      "DL3025: JSON form: CMD serve",
      "one HEALTHCHECK",
      "EXPOSE",
      'VOLUME ["/data"]',
      "/data must belong",
    ]
  ) assert.ok(found.includes(rule), `${rule} not reported:\n${found}`);
  assert.ok(!found.includes("CRYPTORUN_SECRETS_DIR"), "a secrets directory is not a secret");
  assert.match(
    lint("FROM a:1\nMAINTAINER me\n").join("\n"),
    /dockerfile-utils\(\d+\): MAINTAINER has been deprecated/,
  );
});

Deno.test("Dockerfile: every COPY source from the build context exists", async () => {
  const copies = instructions(await Deno.readTextFile(`${root}Dockerfile`)).filter((l) =>
    l.startsWith("COPY ") && !l.includes("--from=")
  );
  assert.ok(copies.length >= 5);
  for (const l of copies) {
    for (const src of l.split(" ").slice(1, -1)) {
      await Deno.stat(`${root}${src}`).catch(() => assert.fail(`COPY source ${src} does not exist`));
    }
  }
});

Deno.test("Dockerfile: the build stage uses this Deno and compiles the binary the final stage runs", async () => {
  const version = new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["--version"] }).output()).stdout,
  )
    .split(/\s+/)[1];
  const ins = instructions(await Deno.readTextFile(`${root}Dockerfile`));
  assert.equal(ins.find((l) => l.startsWith("FROM ")), `FROM denoland/deno:${version} AS build`);
  assert.ok(
    ins.some((l) => /^RUN .*deno task compile .*--data-dir=\/data .*--output=\/out\/cryptorun/.test(l)),
  );
  assert.ok(ins.some((l) => l === 'ENTRYPOINT ["/app/cryptorun"]'));
  assert.ok(ins.some((l) => /^FROM gcr\.io\/distroless\/cc-debian12:nonroot$/.test(l)));
  assert.ok(
    ins.some((l) =>
      /^HEALTHCHECK .*CMD \["\/app\/cryptorun", "health", "--server", "http:\/\/127\.0\.0\.1:9464"\]$/.test(l)
    ),
  );
});
