/**
 * deno task gen — writes every generated file from its single source, so none is edited by hand:
 *
 * - Dockerfile                 from deploy/image/image.ts (the release variant)
 * - docs/LICENSES.md           from deno.lock and the packages' package.json (scripts/deps_check.ts)
 * - deploy/k8s/base/config/*   copies of config/ (kustomize reads files only under its own directory)
 *
 * Each target's test fails when the committed file differs from what this writes.
 */
import { releaseVariant, renderDockerfile } from "../deploy/image/image.ts";
import { licencesDoc } from "./deps_check.ts";

const root = new URL("../", import.meta.url).pathname;

export const TARGETS: Record<string, () => string | Promise<string>> = {
  "Dockerfile": () => renderDockerfile(releaseVariant()),
  "docs/LICENSES.md": licencesDoc,
  "deploy/k8s/base/config/cryptorun.yaml": () => Deno.readTextFile(`${root}config/cryptorun.yaml`),
  "deploy/k8s/base/config/data_sources.yaml": () => Deno.readTextFile(`${root}config/data_sources.yaml`),
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
