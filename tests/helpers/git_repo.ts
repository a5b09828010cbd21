/** A throwaway git repository in a temp dir (for the repository tools' tests: hooks, commit-lint, changelog). */
import { tempDir } from "./tmp.ts";

export interface TempRepo extends AsyncDisposable {
  path: string;
  git(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Writes a file (creating folders) and commits it with `message`; returns the commit's sha. */
  commit(message: string, files?: Record<string, string>): Promise<string>;
}

const dec = new TextDecoder();

export async function tempRepo(): Promise<TempRepo> {
  const dir = await tempDir("cryptorun-repo-");
  // An isolated git: no global/system config, hooks only from this repository.
  const env = {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.invalid",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.invalid",
    NO_COLOR: "1",
  };
  const git = async (...args: string[]) => {
    const r = await new Deno.Command("git", { args, cwd: dir.path, env, stdout: "piped", stderr: "piped" })
      .output();
    return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
  };
  await git("init", "-q", "-b", "main");
  return {
    path: dir.path,
    git,
    async commit(message, files = {}) {
      for (const [name, text] of Object.entries(files)) {
        const p = `${dir.path}/${name}`;
        await Deno.mkdir(p.slice(0, p.lastIndexOf("/")), { recursive: true });
        await Deno.writeTextFile(p, text);
        await git("add", name);
      }
      const r = await git("commit", "-q", "--allow-empty", "-m", message);
      if (r.code !== 0) throw new Error(`git commit: ${r.err}`);
      return (await git("rev-parse", "HEAD")).out.trim();
    },
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}
