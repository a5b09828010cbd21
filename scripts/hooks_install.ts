/**
 * deno task hooks:install [--changelog] [--force] — installs this repository's git hooks (spec D4.2):
 *
 *   commit-msg   commit-lint of the message being committed (`deno task commitlint --message-file`): a
 *                message that is not `<scope>: <subject>` is refused, showing the expected form;
 *   pre-push     (with --changelog) CHANGELOG stubs: when commits being pushed are not in CHANGELOG.md,
 *                `deno task changelog` appends their stubs under [Unreleased] and the push stops so you can
 *                edit and commit them (push again afterwards).
 *
 * Hooks go where git looks for them (`git rev-parse --git-path hooks`: worktrees and core.hooksPath
 * included). A hook file that this tool did not write is left alone unless --force.
 */
import { parseArgs } from "node:util";
import { git } from "./lib/git.ts";

export const MARK = "# cryptorun-hook";

export const HOOKS: Record<string, { text: string; optional: boolean }> = {
  "commit-msg": {
    optional: false,
    text: `#!/bin/sh
${MARK}: commit-lint (deno task hooks:install; docs/CONTRIBUTING.md § Commits)
exec deno task --quiet commitlint --message-file "$1"
`,
  },
  "pre-push": {
    optional: true,
    text: `#!/bin/sh
${MARK}: CHANGELOG stubs (deno task hooks:install --changelog; docs/CONTRIBUTING.md § Changelog)
if ! deno task --quiet changelog --check >/dev/null; then
  deno task --quiet changelog
  echo "pre-push: CHANGELOG.md got stubs for the commits above; edit them, commit, and push again" >&2
  exit 1
fi
`,
  },
};

export async function installHooks(
  cwd: string,
  opts: { changelog?: boolean; force?: boolean } = {},
): Promise<string[]> {
  const dir = (await git(cwd, ["rev-parse", "--path-format=absolute", "--git-path", "hooks"])).trim();
  await Deno.mkdir(dir, { recursive: true });
  const done: string[] = [];
  for (const [name, hook] of Object.entries(HOOKS)) {
    if (hook.optional && !opts.changelog) continue;
    const path = `${dir}/${name}`;
    const old = await Deno.readTextFile(path).catch(() => undefined);
    if (old !== undefined && !old.includes(MARK) && !opts.force) {
      throw new Error(
        `${path}: a hook that hooks:install did not write is there; move it away or use --force`,
      );
    }
    await Deno.writeTextFile(path, hook.text, { mode: 0o755 });
    await Deno.chmod(path, 0o755);
    done.push(path);
  }
  return done;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { changelog: { type: "boolean" }, force: { type: "boolean" } },
  });
  try {
    for (const p of await installHooks(Deno.cwd(), values)) console.error(`hooks: installed ${p}`);
  } catch (e) {
    console.error(`hooks: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
