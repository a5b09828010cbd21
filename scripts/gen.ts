/**
 * deno task gen — writes every generated file from its single source, so none is edited by hand:
 *
 * - Dockerfile                 from deploy/image/image.ts (the release variant)
 * - docs/DEPLOYMENT.md         its env var matrix, from the config schema (src/deploy/env_keys.ts)
 * - docs/LICENSES.md           from deno.lock and the packages' package.json (scripts/deps_check.ts)
 * - deploy/k8s/base/config/*   copies of config/ (kustomize reads files only under its own directory)
 * - src/config/fingerprint.ts  the config loader's fingerprint (scripts/lib/config_fingerprint.ts)
 *
 * Each target's test fails when the committed file differs from what this writes.
 */
import { releaseVariant, renderDockerfile } from "../deploy/image/image.ts";
import { licencesDoc } from "./deps_check.ts";
import { fmtMarkdown } from "./lib/fmt_markdown.ts";
import { MATRIX_END, MATRIX_START, renderEnvMatrix } from "../src/deploy/env_keys.ts";
import { loadConfig } from "../src/config/load.ts";
import { fingerprintModule } from "./lib/config_fingerprint.ts";

const root = new URL("../", import.meta.url).pathname;

export const TARGETS: Record<string, () => string | Promise<string>> = {
  "Dockerfile": () => renderDockerfile(releaseVariant()),
  "docs/LICENSES.md": licencesDoc,
  "docs/DEPLOYMENT.md": async () => {
    const doc = await Deno.readTextFile(`${root}docs/DEPLOYMENT.md`);
    const [a, b] = [doc.indexOf(MATRIX_START), doc.indexOf(MATRIX_END)];
    if (a < 0 || b < a) throw new Error("docs/DEPLOYMENT.md: the env-matrix markers are missing");
    // The embedded defaults (no file, no environment): the documented defaults.
    const { config } = await loadConfig({ configPath: `${root}config/__none__.yaml`, env: {} });
    return await fmtMarkdown(doc.slice(0, a) + renderEnvMatrix(config) + doc.slice(b + MATRIX_END.length));
  },
  "deploy/k8s/base/config/cryptorun.yaml": () => Deno.readTextFile(`${root}config/cryptorun.yaml`),
  "deploy/k8s/base/config/data_sources.yaml": () => Deno.readTextFile(`${root}config/data_sources.yaml`),
  "src/config/fingerprint.ts": fingerprintModule,
};

if (import.meta.main) {
  for (const [path, render] of Object.entries(TARGETS)) {
    const text = await render();
    const old = await Deno.readTextFile(root + path).catch(() => undefined);
    if (old === text) continue;
    await Deno.writeTextFile(root + path, text);
    console.error(`gen: wrote ${path}`);
  }
}
