/** Small git helpers for the repository tools (commit-lint, changelog, hooks): plain `git` child processes. */

/** Runs git in `cwd`; returns stdout, or throws with git's stderr. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const r = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  if (!r.success) throw new Error(`git ${args.join(" ")}: ${dec.decode(r.stderr).trim()}`);
  return dec.decode(r.stdout);
}

/** git's answer, or undefined when git fails (no such tag, no such branch, …). */
export async function gitMaybe(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await git(cwd, args)).trim();
  } catch {
    return undefined;
  }
}

export interface Commit {
  sha: string;
  /** Full message (header, blank line, body). */
  message: string;
  parents: string[];
}

/** Commits of a revision range (`A..B`, or a single revision for everything reachable), oldest first. */
export async function commitsIn(cwd: string, range: string): Promise<Commit[]> {
  // NUL-separated records: sha, parents, raw body.
  const out = await git(cwd, ["log", "--reverse", "--format=%H%x1f%P%x1f%B%x00", range]);
  return out.split("\0").map((r) => r.replace(/^\n/, "")).filter((r) => r.trim() !== "").map((r) => {
    const [sha, parents, message] = r.split("\x1f");
    return { sha, parents: parents.split(" ").filter(Boolean), message: message.replace(/\n+$/, "") };
  });
}

/** The newest release tag (`v*`) reachable from HEAD, or undefined. */
export function lastReleaseTag(cwd: string): Promise<string | undefined> {
  return gitMaybe(cwd, ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD"]);
}

/** True when `a` is an ancestor of (or equal to) `b`. */
export async function isAncestor(cwd: string, a: string, b: string): Promise<boolean> {
  const r = await new Deno.Command("git", {
    args: ["merge-base", "--is-ancestor", a, b],
    cwd,
    stdout: "null",
    stderr: "null",
  }).output();
  return r.success;
}
