/**
 * deno task scan:secrets [PATH] — secret scanning (spec B3.2) with secretlint's recommended preset (AWS,
 * GCP, GitHub, Slack, npm, private keys, database connection strings with passwords, …) plus a rule for
 * Kraken API credentials, over every file of PATH (default: the repository; in a git checkout the files git
 * tracks or would add, else every file but .git/, node_modules/, dist/ and data/).
 *
 * Findings print as `file:line:col rule` — never the secret itself. Known false positives are listed in
 * security/secret-scan-allowlist.yaml, each with a reason; an entry without a reason, or one that no longer
 * matches anything, is itself an error (the allowlist cannot rot). Exit 0 = clean, 1 = findings, 2 = usage.
 */
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

export const ALLOWLIST = "security/secret-scan-allowlist.yaml";
const SKIP_DIRS = new Set([".git", "node_modules", "dist", "data"]);
const MAX_BYTES = 5 * 1024 * 1024;

/**
 * Kraken API credentials: the key is 56 base64 characters, the private key (API secret) 88 (64 bytes,
 * ending "=="). Both are only reported next to a name that says Kraken/API key/secret, so other base64 (the
 * lockfile's integrity hashes, recorded checksums) is not.
 */
const KRAKEN_RE =
  /(kraken[\w.-]*|api[_-]?(key|secret|private[_-]?key)|private[_-]?key)["']?\s*[:=]\s*["']?([A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{56})(?![A-Za-z0-9+/=])/gi;

// deno-lint-ignore no-explicit-any
const krakenRule: any = {
  messages: { KRAKEN: "found a Kraken API credential" },
  meta: { id: "cryptorun/kraken", recommended: true, type: "scanner", supportedContentTypes: ["text"] },
  create(context: { report(d: unknown): void }) {
    return {
      file(source: { content: string }) {
        for (const m of source.content.matchAll(KRAKEN_RE)) {
          const start = m.index! + m[0].length - m[3].length;
          context.report({ message: "found a Kraken API credential", range: [start, start + m[3].length] });
        }
      },
    };
  },
};

const Allow = z.strictObject({
  path: z.string().min(1),
  rule: z.string().min(1),
  reason: z.string().min(10, "every allowlist entry needs a reason"),
});
export type AllowEntry = z.infer<typeof Allow>;

export interface Finding {
  file: string;
  line: number;
  column: number;
  rule: string;
}

async function gitFiles(root: string): Promise<string[] | undefined> {
  try {
    const r = await new Deno.Command("git", {
      args: ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!r.success) return undefined;
    return new TextDecoder().decode(r.stdout).split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

function walk(root: string, dir = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(root, dir))) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory && !SKIP_DIRS.has(e.name)) out.push(...walk(root, rel));
    else if (e.isFile) out.push(rel);
  }
  return out;
}

/** Scans every text file under `root`; returns the findings (paths relative to root), allowlist not applied. */
export async function scan(root: string): Promise<Finding[]> {
  const files = (await gitFiles(root)) ?? walk(root);
  const findings: Finding[] = [];
  for (const file of files.sort()) {
    const path = join(root, file);
    let bytes: Uint8Array;
    try {
      const st = await Deno.stat(path);
      if (!st.isFile || st.size > MAX_BYTES) continue;
      bytes = await Deno.readFile(path);
    } catch {
      continue; // deleted since git listed it
    }
    if (bytes.includes(0)) continue; // binary
    const r = await lintSource({
      source: { filePath: path, content: new TextDecoder().decode(bytes), contentType: "text" },
      options: {
        config: {
          rules: [
            { id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended },
            { id: "cryptorun/kraken", rule: krakenRule },
          ],
        },
        maskSecrets: true,
      },
    });
    for (const m of r.messages) {
      findings.push({ file, line: m.loc.start.line, column: m.loc.start.column + 1, rule: m.ruleId });
    }
  }
  return findings;
}

export async function readAllowlist(root: string): Promise<AllowEntry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(root, ALLOWLIST));
  } catch {
    return [];
  }
  const r = z.array(Allow).safeParse(parse(text) ?? []);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${ALLOWLIST}: entry ${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}

/** Findings the allowlist does not cover, and allowlist entries that cover nothing. */
export function applyAllowlist(findings: Finding[], allow: AllowEntry[]) {
  const used = new Set<AllowEntry>();
  const left = findings.filter((f) => {
    const a = allow.find((a) => a.path === f.file && a.rule === f.rule);
    if (a) used.add(a);
    return !a;
  });
  return { left, stale: allow.filter((a) => !used.has(a)) };
}

if (import.meta.main) {
  if (Deno.args.length > 1 || Deno.args.some((a) => a.startsWith("-"))) {
    console.error("usage: deno task scan:secrets [PATH]");
    Deno.exit(2);
  }
  const root = resolve(Deno.args[0] ?? new URL("../", import.meta.url).pathname);
  let allow: AllowEntry[];
  try {
    allow = await readAllowlist(root);
  } catch (err) {
    console.error(`scan:secrets: ${(err as Error).message}`);
    Deno.exit(2);
  }
  const findings = await scan(root);
  const { left, stale } = applyAllowlist(findings, allow);
  for (const f of left) console.log(`${f.file}:${f.line}:${f.column} ${f.rule}`);
  for (const a of stale) console.log(`${ALLOWLIST}: stale entry (matches nothing): ${a.path} ${a.rule}`);
  const shown = relative(Deno.cwd(), root) || ".";
  console.error(
    `scan:secrets: ${shown}: ${left.length} finding(s), ${findings.length - left.length} allowlisted, ` +
      `${stale.length} stale allowlist entr${stale.length === 1 ? "y" : "ies"}`,
  );
  Deno.exit(left.length || stale.length ? 1 : 0);
}
