/**
 * No Docker engine runs on our machines, so the Dockerfile is validated offline: every path it copies exists,
 * the build stage uses the pinned Deno version and the compile task, and the runtime stage is non-root with a
 * healthcheck and the binary as entrypoint.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const text = await Deno.readTextFile(`${root}Dockerfile`);
const lines = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));

Deno.test("Dockerfile: every COPY source from the build context exists", async () => {
  const copies = lines.filter((l) => l.startsWith("COPY ") && !l.includes("--from="));
  assert.ok(copies.length >= 5);
  for (const l of copies) {
    const parts = l.split(/\s+/).slice(1);
    for (const src of parts.slice(0, -1)) {
      await Deno.stat(`${root}${src}`).catch(() => assert.fail(`COPY source ${src} does not exist`));
    }
  }
});

Deno.test("Dockerfile: pinned Deno build stage, compile task, non-root runtime with healthcheck", async () => {
  const version = (await new Deno.Command(Deno.execPath(), { args: ["--version"] }).output()).stdout;
  const deno = new TextDecoder().decode(version).split(/\s+/)[1];
  const from = lines.filter((l) => l.startsWith("FROM "));
  assert.equal(from.length, 2, "multi-stage: build + runtime");
  assert.match(from[0], new RegExp(`^FROM denoland/deno:${deno.replaceAll(".", "\\.")} AS build$`));
  assert.ok(lines.some((l) => /^RUN .*deno task compile/.test(l)));
  const runtime = lines.slice(lines.indexOf(from[1]));
  const user = runtime.find((l) => l.startsWith("USER "));
  assert.ok(user && !/\broot\b|\b0\b/.test(user), `runtime user: ${user}`);
  // The health check asks the running serve: `health` alone would open the embedded database serve holds.
  assert.ok(
    runtime.some((l) =>
      /^HEALTHCHECK .*cryptorun", "health", "--server", "http:\/\/127\.0\.0\.1:9464"\]$/.test(l)
    ),
  );
  assert.ok(runtime.some((l) => l === 'ENTRYPOINT ["/app/cryptorun"]'));
  assert.ok(runtime.some((l) => l.startsWith("COPY --from=build /src/dist/cryptorun ")));
});
