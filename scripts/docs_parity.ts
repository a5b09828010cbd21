/**
 * deno task docs:parity [--docs DIR] — the docs name exactly what the code has (spec D4.3). Fails (exit 1),
 * one line per finding naming the item and where it was expected, when
 *
 *   - a CLI flag, subcommand or sub-action (src/cli/registry.ts, src/cli/globals.ts) is missing from
 *     docs/CLI.md: global flags in § Global flags; each command has a `### <command>` section under § Commands
 *     whose usage block has a `cryptorun <command> [<action>]` line naming every flag it accepts;
 *   - a config key (the zod schemas of src/config/sections/) has no row in docs/CONFIG.md § <section>;
 *   - a metric of src/metrics/registry.ts is not named in docs/MONITORING.md (prom-client's process/runtime
 *     metrics may be covered by a `cryptorun_process_*`-style pattern there); an alert of
 *     deploy/prometheus/alerts.yml has no `### <Alert>` runbook; a dashboard of deploy/grafana/ is not listed;
 *   - a `CRYPTORUN_*` variable the config loader accepts (every key's override, every secret's variable, the
 *     secrets directory) is named nowhere in docs/;
 *
 * or when the docs name one that does not exist: a flag, subcommand or action in a usage block or in any
 * `cryptorun …` command line in docs/ (code blocks and inline code), a `section.key` config path in inline
 * code, a `cryptorun_*` metric, an alert heading, a dashboard file, a `CRYPTORUN_*` variable that nothing in
 * the code reads or sets.
 */
import { parseArgs } from "node:util";
import { type Inventory, inventory } from "./lib/parity_inventory.ts";
import { codeLines, inlineCode, proseLines, section, sections, tableCells } from "./lib/markdown.ts";

export type Kind = "cli" | "config" | "metric" | "env" | "alert" | "dashboard";
export interface Problem {
  kind: Kind;
  item: string;
  message: string;
}

type Docs = Record<string, string>;

/** One `cryptorun …` usage entry: its tokens (continuation lines joined). */
function usageEntries(code: string[]): string[][] {
  const out: string[][] = [];
  for (const raw of code) {
    const l = raw.trim();
    if (l.startsWith("cryptorun ")) out.push(l.split(/\s+/).slice(1));
    else if (out.length > 0 && /^\s+[[-]/.test(raw)) out[out.length - 1].push(...l.split(/\s+/));
  }
  return out;
}

/** `--name` flags (and `-q` short ones, as given) of tokens like `[--wait[=DURATION]]`, `--from=x`, `--kind`. */
function flagsOf(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    for (const m of t.matchAll(/(?:^|[[(|])(--[a-z][a-z0-9-]*|-[a-z])(?=$|[\]=[)|,.])/g)) out.push(m[1]);
  }
  return out;
}

function checkCli(inv: Inventory, docs: Docs): Problem[] {
  const p: Problem[] = [];
  const cli = docs["CLI.md"] ?? "";
  const add = (item: string, message: string) => p.push({ kind: "cli", item, message });
  const globals = new Set(inv.globalFlags);
  const longOf = (f: string) => f.startsWith("--") ? f.slice(2) : inv.globalShort[f.slice(1)] ?? f;

  // Global flags: a table row each.
  const g = section(cli, "Global flags");
  const gFlags = new Set<string>();
  for (const l of g?.body ?? []) {
    const cells = tableCells(l);
    if (cells) {
      for (const f of flagsOf(cells[0].replaceAll("`", "").split(/[\s,]+/))) gFlags.add(longOf(f));
    }
  }
  for (const f of inv.globalFlags) {
    if (!gFlags.has(f)) add(`--${f}`, `global flag --${f}: no row in docs/CLI.md § Global flags`);
  }
  for (const f of gFlags) {
    if (!globals.has(f)) add(`--${f}`, `docs/CLI.md § Global flags names --${f}, which is not a global flag`);
  }

  // Commands: a section each, with a usage block naming every action and flag.
  const cmds = section(cli, "Commands");
  const subs = cmds ? sections(cmds.body.join("\n")).filter((s) => s.level === 3) : [];
  for (const s of subs) {
    if (!inv.commands.some((c) => c.name === s.title)) {
      add(
        s.title,
        `docs/CLI.md § Commands has a section "### ${s.title}", but there is no command ${s.title}`,
      );
    }
  }
  for (const c of inv.commands) {
    const s = subs.find((x) => x.title === c.name);
    if (!s) {
      add(c.name, `command ${c.name}: no section "### ${c.name}" in docs/CLI.md § Commands`);
      continue;
    }
    const entries = usageEntries(codeLines(s.body)).filter((e) => e[0] === c.name);
    const where = `docs/CLI.md § ${c.name}`;
    if (entries.length === 0) {
      add(c.name, `command ${c.name}: no "cryptorun ${c.name} …" usage line in the code block of ${where}`);
      continue;
    }
    if (c.actions.length === 0) {
      const named = new Set(entries.flatMap((e) => flagsOf(e.slice(1))).map(longOf));
      for (const f of c.flags) {
        if (!named.has(f)) {
          add(`--${f}`, `flag --${f} of ${c.name}: not on a "cryptorun ${c.name}" usage line in ${where}`);
        }
      }
      continue;
    }
    for (const a of c.actions) {
      const mine = entries.filter((e) => e[1] === a.name);
      if (mine.length === 0) {
        add(
          `${c.name} ${a.name}`,
          `subcommand ${c.name} ${a.name}: no "cryptorun ${c.name} ${a.name} …" usage line in ${where}`,
        );
        continue;
      }
      const named = new Set(mine.flatMap((e) => flagsOf(e.slice(2))).map(longOf));
      for (const f of a.flags) {
        if (!named.has(f)) {
          add(
            `--${f}`,
            `flag --${f} of ${c.name} ${a.name}: not on the "cryptorun ${c.name} ${a.name}" usage line in ${where}`,
          );
        }
      }
    }
  }

  // Every `cryptorun …` line anywhere in docs/: command, action and flags must exist.
  for (const [file, text] of Object.entries(docs)) {
    const lines = text.split("\n");
    const cands = [...codeLines(lines), ...inlineCode(lines)];
    for (const line of cands) {
      for (const tokens of invocations(line)) {
        const problem = checkInvocation(inv, tokens);
        if (problem) add(problem.item, `docs/${file}: "cryptorun ${tokens.join(" ")}": ${problem.message}`);
      }
    }
  }
  return p;
}

/**
 * The arguments of each `cryptorun` command in a line of shell: `cryptorun` (or `dist/cryptorun`, `deno task
 * cryptorun`) as a command word — first on the line or after `$`, `|`, `;`, `&&`, `(`, env assignments —
 * never an argument of another program (`kubectl -n cryptorun …`). Arguments end at `|`, `;`, `&&`, `>`, `#`.
 */
export function invocations(line: string): string[][] {
  const toks = line.trim().split(/\s+/);
  const out: string[][] = [];
  let commandWord = true;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (["$", "|", ";", "&&", "||", "("].includes(t)) {
      commandWord = true;
      continue;
    }
    if (commandWord && /^[A-Z_][A-Z0-9_]*=/.test(t)) continue;
    if (commandWord && t === "deno" && toks[i + 1] === "task") {
      i++;
      continue;
    }
    if (commandWord && /^(?:\.{1,2}\/|dist\/|\/\S*\/)?cryptorun$/.test(t)) {
      const args: string[] = [];
      for (i++; i < toks.length && !/^(\||;|&&|\|\||>|2>|#)/.test(toks[i]); i++) args.push(toks[i]);
      out.push(args);
      i--;
      commandWord = false;
      continue;
    }
    commandWord = false;
  }
  return out;
}

/** A problem with one `cryptorun …` command line's tokens, or undefined when it names only real things. */
export function checkInvocation(
  inv: Inventory,
  tokens: string[],
): { item: string; message: string } | undefined {
  const placeholder = (t: string) => /[<…{}$"']|\.\.\./.test(t) || t.startsWith("[") || t.includes("|");
  let i = 0;
  const isGlobal = (t: string) => {
    const f = t.startsWith("--") ? t.slice(2).split("=")[0] : inv.globalShort[t.slice(1)];
    return f !== undefined && inv.globalFlags.includes(f) ? f : undefined;
  };
  // Global flags before the command.
  while (i < tokens.length && tokens[i].startsWith("-")) {
    const f = isGlobal(tokens[i]);
    if (!f) {
      if (placeholder(tokens[i]) || !/^--?[a-z]/.test(tokens[i])) return undefined;
      return { item: tokens[i], message: `${tokens[i]} is not a global flag` };
    }
    if (inv.globalValued.includes(f) && !tokens[i].includes("=")) i++;
    i++;
  }
  const name = tokens[i];
  if (name === undefined || placeholder(name) || !/^[a-z]+$/.test(name) || name === "help") return undefined;
  const cmd = inv.commands.find((c) => c.name === name);
  if (!cmd) return { item: name, message: `there is no command ${name}` };
  i++;
  let accepted = cmd.flags;
  let what = cmd.name;
  if (cmd.actions.length > 0 && tokens[i] !== undefined && /^[a-z]+$/.test(tokens[i])) {
    const a = cmd.actions.find((x) => x.name === tokens[i]);
    if (!a) return { item: `${cmd.name} ${tokens[i]}`, message: `${cmd.name} has no action ${tokens[i]}` };
    accepted = a.flags;
    what = `${cmd.name} ${a.name}`;
    i++;
  }
  for (const t of tokens.slice(i)) {
    for (const f of flagsOf([t])) {
      if (placeholder(f)) continue;
      const long = f.startsWith("--") ? f.slice(2) : inv.globalShort[f.slice(1)];
      if (long === undefined) return { item: f, message: `${what} has no flag ${f}` };
      if (inv.globalFlags.includes(long) || accepted.includes(long)) continue;
      return { item: f, message: `${what} does not accept ${f}` };
    }
  }
  return undefined;
}

const SECTION_NAMES = (inv: Inventory) => [...new Set(inv.configKeys.map((k) => k.split(".")[0]))];

/** Does a doc token (`liquidity.<regime>`, `dsn_env`) cover a key path relative to its section? */
function covers(token: string, rel: string, rowTokens: string[]): boolean {
  if (token === rel) return true;
  const t = token.split(".");
  const r = rel.split(".");
  if (t.length > r.length) return false;
  for (let i = 0; i < t.length; i++) if (!(t[i] === r[i] || /^<[^>]+>$/.test(t[i]))) return false;
  if (t.length === r.length) return true;
  // `liquidity.<regime>` with `spread_bps_max` named in the same row.
  return rowTokens.includes(r.slice(t.length).join("."));
}

function checkConfig(inv: Inventory, docs: Docs): Problem[] {
  const p: Problem[] = [];
  const text = docs["CONFIG.md"] ?? "";
  const add = (item: string, message: string) => p.push({ kind: "config", item, message });
  const known = new Set([...inv.configKeys, ...inv.configObjects]);
  const matchesSome = (path: string) => {
    if (known.has(path) || SECTION_NAMES(inv).includes(path)) return true;
    const parts = path.split(".");
    return [...known].some((k) => {
      const kp = k.split(".");
      return kp.length >= parts.length &&
        parts.every((x, i) => x === kp[i] || /^<[^>]+>$/.test(x) || /^<[^>]+>$/.test(kp[i]));
    });
  };
  // A row of a table of record entries (`tables.<name>`: `schema`, `fields`) names a key inside the entries.
  const inEntries = (sec: string, t: string) =>
    [...known].some((k) => k.startsWith(`${sec}.`) && k.includes(".<name>.") && k.endsWith(`.<name>.${t}`));
  for (const sec of SECTION_NAMES(inv)) {
    const s = section(text, new RegExp(`^${sec}\\b`));
    if (!s || s.level !== 3) {
      add(sec, `config section ${sec}: no "### ${sec}" section in docs/CONFIG.md`);
      continue;
    }
    // Key tokens: inline code of the first cell of each table row; the rest of the row for `<x>` patterns.
    const rows: Array<{ keys: string[]; all: string[]; line: string }> = [];
    // Only tables headed `key` list config keys (a section may hold other tables, e.g. the tiers' sources).
    let keyTable = false;
    for (const l of proseLines(s.body)) {
      const cells = tableCells(l);
      if (!cells) {
        if (!l.trim().startsWith("|")) keyTable = false; // separator rows stay inside their table
        continue;
      }
      if (!keyTable && cells[0] === "key") {
        keyTable = true;
        continue;
      }
      if (!keyTable) continue;
      const keys = [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      rows.push({ keys, all: [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1]), line: l });
    }
    for (const key of inv.configKeys.filter((k) => k.startsWith(sec + "."))) {
      const rel = key.slice(sec.length + 1);
      if (!rows.some((r) => r.keys.some((t) => covers(t, rel, r.all)))) {
        add(key, `config key ${key}: no row naming \`${rel}\` in docs/CONFIG.md § ${sec}`);
      }
    }
    for (const r of rows) {
      for (const t of r.keys) {
        if (!matchesSome(`${sec}.${t}`) && !inEntries(sec, t)) {
          add(`${sec}.${t}`, `docs/CONFIG.md § ${sec} has a row for \`${t}\`, but ${sec} has no key ${t}`);
        }
      }
    }
  }
  // `section.key` (alone, or `section.key: value`) in inline code anywhere in docs/; failpoint names excepted.
  const secRe = new RegExp(`^(?:${SECTION_NAMES(inv).join("|")})\\.[a-z0-9_<>.]*[a-z0-9_>]$`);
  for (const [file, doc] of Object.entries(docs)) {
    for (const span of inlineCode(doc.split("\n"))) {
      const m = /^([a-z0-9_<>.]+)(?:(?:: |=)\S+)?$/.exec(span);
      const path = m?.[1];
      if (!path || !secRe.test(path) || inv.failpoints.includes(path)) continue;
      if (/\.(ts|md|json|ya?ml|ndjson|csv|gz|lz4|parquet|sh)$/.test(path)) continue;
      if (!matchesSome(path)) add(path, `docs/${file} names config key \`${path}\`, which does not exist`);
    }
  }
  return p;
}

function checkMetrics(inv: Inventory, docs: Docs): Problem[] {
  const p: Problem[] = [];
  const text = docs["MONITORING.md"] ?? "";
  const spans = inlineCode(text.split("\n"));
  const named = new Set<string>();
  const patterns: RegExp[] = [];
  for (const s of spans) {
    for (const m of s.matchAll(/\bcryptorun_[a-z0-9_]*[a-z0-9*]/g)) {
      if (m[0].includes("*")) patterns.push(new RegExp(`^${m[0].replaceAll("*", "[a-z0-9_]*")}$`));
      else named.add(m[0]);
    }
  }
  for (const m of inv.metrics) {
    if (!named.has(m)) {
      p.push({
        kind: "metric",
        item: m,
        message: `metric ${m} (src/metrics/registry.ts): not named in docs/MONITORING.md § Metrics`,
      });
    }
  }
  for (const m of inv.defaultMetrics) {
    if (!named.has(m) && !patterns.some((r) => r.test(m))) {
      p.push({
        kind: "metric",
        item: m,
        message:
          `process metric ${m}: not named (nor matched by a cryptorun_…_* pattern) in docs/MONITORING.md`,
      });
    }
  }
  const all = new Set([...inv.metrics, ...inv.defaultMetrics]);
  const base = (n: string) => n.replace(/_(bucket|sum|count)$/, "");
  for (const [file, doc] of Object.entries(docs)) {
    const lines = doc.split("\n");
    for (const s of [...inlineCode(lines), ...codeLines(lines)]) {
      for (const m of s.matchAll(/(?<!["'\w^])cryptorun_[a-z0-9_]*[a-z0-9](?![\w*"'])/g)) {
        if (all.has(m[0]) || all.has(base(m[0])) || inv.tables.includes(m[0])) continue;
        p.push({
          kind: "metric",
          item: m[0],
          message: `docs/${file} names metric ${m[0]}, which the registry does not define`,
        });
      }
    }
  }
  // Alerts (a runbook each) and dashboards (listed).
  const alertsSec = section(text, "Alerts");
  const heads = alertsSec
    ? sections(alertsSec.body.join("\n")).filter((s) => s.level === 3).map((s) => s.title)
    : [];
  for (const a of inv.alerts) {
    if (!heads.includes(a)) {
      p.push({
        kind: "alert",
        item: a,
        message:
          `alert ${a} (deploy/prometheus/alerts.yml): no "### ${a}" runbook in docs/MONITORING.md § Alerts`,
      });
    }
  }
  for (const h of heads) {
    if (!inv.alerts.includes(h)) {
      p.push({
        kind: "alert",
        item: h,
        message:
          `docs/MONITORING.md § Alerts has "### ${h}", but deploy/prometheus/alerts.yml has no such alert`,
      });
    }
  }
  const dash = new Set(spans.filter((s) => /^cryptorun-[a-z0-9-]+\.json$/.test(s)));
  for (const d of inv.dashboards) {
    if (!dash.has(d)) {
      p.push({
        kind: "dashboard",
        item: d,
        message: `dashboard deploy/grafana/${d}: not listed in docs/MONITORING.md § Dashboards`,
      });
    }
  }
  for (const d of dash) {
    if (!inv.dashboards.includes(d)) {
      p.push({
        kind: "dashboard",
        item: d,
        message: `docs/MONITORING.md lists dashboard ${d}, which deploy/grafana/ does not have`,
      });
    }
  }
  return p;
}

function checkEnv(inv: Inventory, docs: Docs): Problem[] {
  const p: Problem[] = [];
  const seen = new Map<string, string>();
  for (const [file, doc] of Object.entries(docs)) {
    for (const m of doc.matchAll(/\bCRYPTORUN_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_<*])/g)) {
      if (!seen.has(m[0])) seen.set(m[0], file);
    }
  }
  for (const [v, what] of Object.entries(inv.envVars)) {
    if (!seen.has(v)) {
      p.push({
        kind: "env",
        item: v,
        message:
          `env var ${v} (${what}): named nowhere in docs/ (expected in docs/DEPLOYMENT.md § Environment variables: run deno task gen)`,
      });
    }
  }
  for (const [v, file] of seen) {
    if (v in inv.envVars || inv.otherEnvVars.includes(v)) continue;
    p.push({
      kind: "env",
      item: v,
      message: `docs/${file} names env var ${v}, which neither the config loader nor any code reads`,
    });
  }
  return p;
}

export function checkParity(inv: Inventory, docs: Docs): Problem[] {
  return [
    ...checkCli(inv, docs),
    ...checkConfig(inv, docs),
    ...checkMetrics(inv, docs),
    ...checkEnv(inv, docs),
  ];
}

/** Every `*.md` of a docs directory (file name → text). */
export async function readDocs(dir: string): Promise<Docs> {
  const out: Docs = {};
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".md")) out[e.name] = await Deno.readTextFile(`${dir}/${e.name}`);
  }
  return out;
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  const { values } = parseArgs({ args: Deno.args, options: { docs: { type: "string" } } });
  const dir = values.docs ?? `${root}/docs`;
  const inv = await inventory(root);
  const problems = checkParity(inv, await readDocs(dir));
  for (const x of problems) console.error(`docs:parity: ${x.kind}: ${x.message}`);
  const counts = `${inv.commands.length} commands, ${inv.configKeys.length} config keys, ${
    inv.metrics.length + inv.defaultMetrics.length
  } metrics, ${
    Object.keys(inv.envVars).length
  } env vars, ${inv.alerts.length} alerts, ${inv.dashboards.length} dashboards`;
  console.error(`docs:parity: ${problems.length} problem(s) (${counts}; docs: ${dir})`);
  Deno.exit(problems.length > 0 ? 1 : 0);
}
