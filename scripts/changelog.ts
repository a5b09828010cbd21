/**
 * deno task changelog [--check|--dry-run] — CHANGELOG stubs from commits (spec D4.2).
 *
 * Every `<scope>: <subject>` commit since the base that is not yet in CHANGELOG.md becomes one line
 * `- <scope>: <subject> (<sha7>)` under `## [Unreleased]`, in the Keep a Changelog section its subject suggests
 * (add/new → Added, fix → Fixed, remove/drop → Removed, deprecate → Deprecated, scope security/secrets →
 * Security, anything else → Changed). A stub is a starting point: edit it into a sentence for users.
 *
 * Base: the newest of the last release tag (`v*`) and `base` in scripts/changelog.json (the commit this tool
 * started from, so the first run does not re-list history the changelog already tells in prose); with
 * neither, every commit from the root. Skipped: merge commits, headers that are not `<scope>: <subject>`
 * (commit-lint's job), scopes in `skip_scopes` (ci, tests, … — not user-facing), commits that edit
 * CHANGELOG.md themselves (their author wrote the entry), and commits already listed (their sha7 or their
 * subject appears in CHANGELOG.md) — so re-running adds nothing twice.
 *
 * --dry-run prints the stubs; --check prints them and exits 1 when there are any (the pre-push hook).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Commit, commitsIn, git, isAncestor, lastReleaseTag } from "./lib/git.ts";

export const SECTIONS = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"] as const;
export type Section = typeof SECTIONS[number];

export interface Stub {
  section: Section;
  line: string;
  sha: string;
}

const Config = z.strictObject({
  "//": z.string().optional(),
  base: z.string().min(4).optional(),
  skip_scopes: z.array(z.string()).default([]),
});
export type ChangelogConfig = z.infer<typeof Config>;

const HEADER_RE = /^([a-z0-9][a-z0-9._/-]*(?:, ?[a-z0-9][a-z0-9._/-]*)*): (\S.*)$/;

export function parseHeader(header: string): { scopes: string[]; subject: string } | undefined {
  const m = HEADER_RE.exec(header);
  return m ? { scopes: m[1].split(",").map((s) => s.trim()), subject: m[2] } : undefined;
}

/** The Keep a Changelog section a commit's words suggest. */
export function sectionOf(scopes: string[], subject: string): Section {
  const w = subject.toLowerCase().split(/\s+/)[0] ?? "";
  if (scopes.some((s) => s === "security" || s === "secrets")) return "Security";
  if (/^(fix|fixes|fixed|correct|corrects)$/.test(w)) return "Fixed";
  if (/^(add|adds|added|new|introduce|introduces)$/.test(w)) return "Added";
  if (/^(remove|removes|removed|drop|drops|delete|deletes)$/.test(w)) return "Removed";
  if (/^(deprecate|deprecates)$/.test(w)) return "Deprecated";
  return "Changed";
}

/** The stubs for `commits` that CHANGELOG.md does not list yet. `touched(sha)` = files the commit changed. */
export function stubsFor(
  changelog: string,
  commits: Array<Commit & { files: string[] }>,
  cfg: ChangelogConfig,
): Stub[] {
  const out: Stub[] = [];
  for (const c of commits) {
    if (c.parents.length > 1) continue;
    const h = parseHeader(c.message.split("\n")[0]);
    if (!h) continue;
    if (h.scopes.every((s) => cfg.skip_scopes.includes(s))) continue;
    if (c.files.includes("CHANGELOG.md")) continue;
    const sha7 = c.sha.slice(0, 7);
    if (changelog.includes(sha7) || changelog.includes(h.subject)) continue;
    out.push({
      section: sectionOf(h.scopes, h.subject),
      line: `- ${h.scopes.join(", ")}: ${h.subject} (${sha7})`,
      sha: c.sha,
    });
  }
  return out;
}

/** CHANGELOG.md with the stubs added at the end of their sections under `## [Unreleased]` (created if missing). */
export function insertStubs(changelog: string, stubs: Stub[]): string {
  if (stubs.length === 0) return changelog;
  const lines = changelog.split("\n");
  let start = lines.findIndex((l) => /^## \[Unreleased\]/.test(l));
  if (start < 0) {
    const firstRelease = lines.findIndex((l) => /^## /.test(l));
    const at = firstRelease < 0 ? lines.length : firstRelease;
    lines.splice(at, 0, "## [Unreleased]", "");
    start = at;
  }
  const endOf = () => {
    const e = lines.findIndex((l, i) => i > start && /^## /.test(l));
    return e < 0 ? lines.length : e;
  };
  for (const section of SECTIONS) {
    const mine = stubs.filter((s) => s.section === section);
    if (mine.length === 0) continue;
    const end = endOf();
    let h = lines.findIndex((l, i) => i > start && i < end && l.trim() === `### ${section}`);
    if (h < 0) {
      // A new section goes before the first section that comes after it in Keep a Changelog's order.
      const later = SECTIONS.slice(SECTIONS.indexOf(section) + 1);
      let at = lines.findIndex((l, i) => i > start && i < end && later.some((s) => l.trim() === `### ${s}`));
      if (at < 0) at = end;
      lines.splice(at, 0, `### ${section}`, "", ...mine.map((s) => s.line), "");
      continue;
    }
    // The end of this section's list: the next heading (### or ##) or the end of the file.
    let e = lines.findIndex((l, i) => i > h && /^#{2,3} /.test(l));
    if (e < 0) e = lines.length;
    while (e > h + 1 && lines[e - 1].trim() === "") e--;
    lines.splice(e, 0, ...mine.map((s) => s.line));
    h = e;
  }
  return lines.join("\n");
}

export async function loadConfig(root: string): Promise<ChangelogConfig> {
  const text = await Deno.readTextFile(`${root}/scripts/changelog.json`).catch(() => "{}");
  const r = Config.safeParse(JSON.parse(text));
  if (!r.success) {
    throw new Error(
      `scripts/changelog.json: ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`,
    );
  }
  return r.data;
}

/** The base revision and why it was chosen. */
export async function changelogBase(
  root: string,
  cfg: ChangelogConfig,
): Promise<{ base?: string; why: string }> {
  const cands: Array<[string, string]> = [];
  const tag = await lastReleaseTag(root);
  if (tag) cands.push([tag, `the last release tag ${tag}`]);
  if (cfg.base && await isAncestor(root, cfg.base, "HEAD")) {
    cands.push([cfg.base, `base ${cfg.base} of scripts/changelog.json`]);
  }
  let best: [string, string] | undefined;
  for (const c of cands) if (!best || await isAncestor(root, best[0], c[0])) best = c;
  return best ? { base: best[0], why: best[1] } : { why: "the root (no release tag, no base configured)" };
}

export async function pendingStubs(root: string): Promise<{ stubs: Stub[]; range: string; why: string }> {
  const cfg = await loadConfig(root);
  const { base, why } = await changelogBase(root, cfg);
  const range = base ? `${base}..HEAD` : "HEAD";
  const commits = await commitsIn(root, range);
  const withFiles = [];
  for (const c of commits) {
    const files = (await git(root, ["diff-tree", "--no-commit-id", "--name-only", "-r", "--root", c.sha]))
      .split("\n").filter(Boolean);
    withFiles.push({ ...c, files });
  }
  const changelog = await Deno.readTextFile(`${root}/CHANGELOG.md`);
  return { stubs: stubsFor(changelog, withFiles, cfg), range, why };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean" }, "dry-run": { type: "boolean" } },
  });
  const root = (await git(Deno.cwd(), ["rev-parse", "--show-toplevel"])).trim();
  const { stubs, range, why } = await pendingStubs(root);
  for (const s of stubs) console.log(`${s.section}: ${s.line}`);
  console.error(`changelog: ${stubs.length} stub(s) from ${range} (since ${why})`);
  if (values.check) {
    if (stubs.length > 0) console.error("changelog: run `deno task changelog`, edit the stubs, commit them");
    return stubs.length > 0 ? 1 : 0;
  }
  if (values["dry-run"] || stubs.length === 0) return 0;
  const path = `${root}/CHANGELOG.md`;
  const text = await Deno.readTextFile(path);
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, insertStubs(text, stubs));
  await Deno.rename(tmp, path);
  console.error(`changelog: wrote ${stubs.length} stub(s) under ## [Unreleased] in CHANGELOG.md`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
