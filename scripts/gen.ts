/**
 * deno task gen — writes every generated file from its single source, so none is edited by hand:
 *
 * - Dockerfile                 from deploy/image/image.ts (the release variant)
 *
 * Each target's test fails when the committed file differs from what this writes.
 */
import { releaseVariant, renderDockerfile } from "../deploy/image/image.ts";

export const TARGETS: Record<string, () => string | Promise<string>> = {
  "Dockerfile": () => renderDockerfile(releaseVariant()),
};

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname;
  for (const [path, render] of Object.entries(TARGETS)) {
    const text = await render();
    const old = await Deno.readTextFile(root + path).catch(() => undefined);
    if (old === text) continue;
    await Deno.writeTextFile(root + path, text);
    console.error(`gen: wrote ${path}`);
  }
}
