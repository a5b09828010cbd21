/**
 * deno task commitlint [RANGE] — every commit message of RANGE must read `<scope>: <subject>` (spec D4.2;
 * docs/CONTRIBUTING.md § Commits). Rules are checked by npm:@commitlint/lint with our header grammar:
 *
 *   - header `<scope>: <subject>`: scope lower-case (`cold`, `ci`, `data/cold`, several as `cold, stream`),
 *     then `: `, then a subject that starts with a non-blank;
 *   - header at most 200 characters; a body is separated from it by a blank line.
 *
 * Ignored, as every standard commitlint does: merge commits (any header starting `Merge `; the merged commits
 * themselves are linted), and @commitlint/is-ignored's defaults (`Revert "…"`, `fixup!`/`squash!`, git's
 * automatic messages).
 *
 * RANGE defaults to the commits since the newest of: the last release tag (`v*`) and the merge base with
 * `main` (when HEAD is not main itself); with neither (main before its first tag) every commit reachable
 * from HEAD. `--message-file FILE` checks one message (the commit-msg hook: `#` comment lines dropped, as git
 * does). Exit 0 clean, 1 when a message breaks a rule (each named with the expected form), 2 bad usage.
 *
 * Commits already on main whose message breaks a rule are listed by full SHA in scripts/commitlint_landed.txt:
 * landed history is never rewritten, so those are reported as "landed" and do not fail the run.
 */
import lint from "@commitlint/lint";
import { parseArgs } from "node:util";
import { commitsIn, gitMaybe, isAncestor, lastReleaseTag } from "./lib/git.ts";

export const HEADER_MAX = 200;
/** The linted repository's list of landed commits exempt from the rules (absent = none). */
export const LANDED_FILE = "scripts/commitlint_landed.txt";

/** Full SHAs of landed commits exempt from the rules (`#` comments and blank lines ignored). */
export function parseLanded(text: string): Set<string> {
  const out = new Set<string>();
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const sha = line.split(/\s+/)[0];
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      throw new Error(`commitlint_landed.txt line ${i + 1}: "${sha}" is not a full 40-hex commit SHA`);
    }
    out.add(sha);
  }
  return out;
}
export const EXPECTED =
  `<scope>: <subject>   e.g. "cold: prune row groups by ts stats" (docs/CONTRIBUTING.md § Commits)`;

const SCOPE = "[a-z0-9][a-z0-9._/-]*";
/** Merge commits of any wording (`Merge w2/cold: …`, `Merge branch 'x'`): the merged commits are linted. */
const MERGE_RE = /^Merge /;
const parserOpts = {
  headerPattern: new RegExp(`^(${SCOPE}(?:, ?${SCOPE})*): (\\S.*)$`),
  headerCorrespondence: ["type", "subject"],
};
const rules = {
  "type-empty": [2, "never"],
  "subject-empty": [2, "never"],
  "header-max-length": [2, "always", HEADER_MAX],
  "body-leading-blank": [2, "always"],
} as const;

/** Our wording for each rule (commitlint calls the scope a "type"). */
function explain(rule: string, header: string): string {
  if (rule === "type-empty" || rule === "subject-empty") return `the header is not "<scope>: <subject>"`;
  if (rule === "header-max-length") return `the header is ${header.length} characters, at most ${HEADER_MAX}`;
  if (rule === "body-leading-blank") return "a blank line must separate the header from the body";
  return rule;
}

/** Problems with one message ([] = fine or ignored). */
export async function lintMessage(message: string): Promise<string[]> {
  // deno-lint-ignore no-explicit-any -- the rule tuple types of @commitlint/types are not re-exported
  const r = await lint(message, rules as any, { parserOpts, ignores: [(m: string) => MERGE_RE.test(m)] });
  if (r.valid) return [];
  const header = message.split("\n")[0];
  return [...new Set(r.errors.map((e) => explain(e.name, header)))];
}

/** Drops `#` comment lines and trailing blank lines, as git does with a commit message file. */
export function cleanMessage(text: string): string {
  return text.split("\n").filter((l) => !l.startsWith("#")).join("\n").replace(/\s+$/, "");
}

/** The default range: since the newest of the last release tag and the merge base with main. */
export async function defaultRange(cwd: string): Promise<{ range: string; base: string }> {
  const head = await gitMaybe(cwd, ["rev-parse", "HEAD"]);
  if (!head) throw new Error("no commit yet (HEAD does not resolve)");
  const candidates: Array<[string, string]> = [];
  const tag = await lastReleaseTag(cwd);
  if (tag) candidates.push([tag, `the last release tag ${tag}`]);
  for (const main of ["origin/main", "main"]) {
    const mb = await gitMaybe(cwd, ["merge-base", "HEAD", main]);
    if (mb && mb !== head) {
      candidates.push([mb, `the merge base with ${main} (${mb.slice(0, 7)})`]);
      break;
    }
  }
  let best: [string, string] | undefined;
  for (const c of candidates) if (!best || await isAncestor(cwd, best[0], c[0])) best = c;
  return best
    ? { range: `${best[0]}..HEAD`, base: best[1] }
    : { range: "HEAD", base: "the root (no release tag, HEAD is main or has no merge base with it)" };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { "message-file": { type: "string" }, quiet: { type: "boolean" } },
    allowPositionals: true,
  });
  const cwd = Deno.cwd();
  if (values["message-file"]) {
    const msg = cleanMessage(await Deno.readTextFile(values["message-file"]));
    const problems = await lintMessage(msg);
    if (problems.length === 0) return 0;
    console.error(`commitlint: ${JSON.stringify(msg.split("\n")[0])}: ${problems.join("; ")}`);
    console.error(`  expected: ${EXPECTED}`);
    return 1;
  }
  if (positionals.length > 1) {
    console.error("usage: deno task commitlint [RANGE] | --message-file FILE");
    return 2;
  }
  const { range, base } = positionals[0]
    ? { range: positionals[0], base: "the range given" }
    : await defaultRange(cwd);
  const commits = await commitsIn(cwd, range);
  const landed = parseLanded(
    await Deno.readTextFile(`${cwd}/${LANDED_FILE}`).catch((e) => {
      if (e instanceof Deno.errors.NotFound) return "";
      throw e;
    }),
  );
  let bad = 0;
  let exempt = 0;
  for (const c of commits) {
    const problems = await lintMessage(c.message);
    if (problems.length === 0) continue;
    if (landed.has(c.sha)) {
      exempt++;
      continue;
    }
    bad++;
    console.error(
      `commitlint: ${c.sha.slice(0, 7)} ${JSON.stringify(c.message.split("\n")[0])}: ${problems.join("; ")}`,
    );
  }
  if (bad > 0) console.error(`  expected: ${EXPECTED}`);
  if (!values.quiet || bad > 0) {
    const note = exempt > 0
      ? ` (${exempt} landed before the rule, listed in scripts/commitlint_landed.txt)`
      : "";
    console.error(`commitlint: ${commits.length} commit(s) in ${range} (since ${base}), ${bad} bad${note}`);
  }
  return bad > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
