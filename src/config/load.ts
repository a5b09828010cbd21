import { dirname, join } from "node:path";
import { isMap, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError, show } from "../util/errors.ts";
import { pathExists } from "../util/path_exists.ts";
import { issueParts } from "../util/zod_issue.ts";
import {
  ALL_SECTIONS,
  type Config,
  MainFileSchema,
  MainFileSections,
  SourcesFileSchema,
  SourcesFileSections,
} from "./schema.ts";
import { resolveTables } from "../data/cold/tables.ts";

export const DEFAULT_CONFIG_PATH = "config/cryptorun.yaml";
export const SOURCES_FILE_NAME = "data_sources.yaml";
export const EMBEDDED = "(embedded defaults)";
export const ENV_PREFIX = "CRYPTORUN_";

/** Key names that hold secrets: never accepted in YAML (use `<key>_env` / `<key>_file`). */
const SECRET_KEY_RE =
  /^(?:dsn|password|passwd|secret|api_key|apikey|api_secret|token|access_key|private_key|redis_url|url_with_password)$/i;

interface ParsedFile {
  path: string;
  data: Record<string, unknown>;
  /** Returns "line:col" of the value at a key path (or of the key itself with `key`), when known. */
  where: (path: PropertyKey[], key?: boolean) => string;
}

async function readYaml(path: string): Promise<ParsedFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new ConfigError(`${path}: cannot read config file (${(err as Error).name})`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ConfigError(
      `${path}${pos ? `:${pos.line}:${pos.col}` : ""}: invalid YAML: ${e.message.split("\n")[0]}`,
    );
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(`${path}: top level must be a mapping of sections, found ${show(data)}`);
  }
  const keyPos = (p: PropertyKey[]): string => {
    let node: unknown = doc.contents;
    let pos = "";
    for (const k of p) {
      if (!isMap(node)) return pos;
      const pair = node.items.find((it) =>
        isPair(it) && isScalar(it.key) && String(it.key.value) === String(k)
      );
      if (!pair || !isScalar(pair.key) || !pair.key.range) return pos;
      const lp = lineCounter.linePos(pair.key.range[0]);
      pos = `${lp.line}:${lp.col}`;
      node = pair.value;
    }
    return pos;
  };
  const where = (p: PropertyKey[], key?: boolean): string => {
    if (key) return keyPos(p);
    // Point at the deepest node that exists on the path.
    for (let n = p.length; n > 0; n--) {
      const node = doc.getIn(p.slice(0, n).map(String), true) as { range?: [number, number] } | undefined;
      const range = node && (isScalar(node) || isMap(node) || "range" in node) ? node.range : undefined;
      if (range) {
        const lp = lineCounter.linePos(range[0]);
        return `${lp.line}:${lp.col}`;
      }
    }
    return "";
  };
  return { path, data: data as Record<string, unknown>, where };
}

function checkNoSecrets(file: ParsedFile): void {
  const walk = (v: unknown, p: string[]): void => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (SECRET_KEY_RE.test(k)) {
        const at = file.where([...p, k], true);
        throw new ConfigError(
          `${file.path}${at ? ":" + at : ""}: ${[...p, k].join(".")} — a secret is never read from YAML; ` +
            `name an env var with ${k}_env or a file with ${k}_file instead`,
        );
      }
      walk(child, [...p, k]);
    }
  };
  walk(file.data, []);
}

/** `scheme://user:password@…`: a URL carrying a password (the password itself is never shown). */
const URL_WITH_PASSWORD_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]*@/i;

/**
 * Refuses a URL with a password in any non-secret key (`stream.pulsar_ws_url: ws://admin:pw@…`,
 * `kraken.ws_url`, …), in a file or an env override: it would be printed by `health --config-only` and
 * logged with the URL. Names the key (file:line or the env var), never the password.
 */
function checkNoUrlPasswords(
  files: Array<[ParsedFile | undefined, Record<string, unknown>]>,
  overrides: EnvOverride[],
): void {
  const walk = (v: unknown, p: PropertyKey[], file: ParsedFile | undefined): void => {
    if (typeof v === "string") {
      if (!URL_WITH_PASSWORD_RE.test(v.trim())) return;
      const key = p.join(".");
      const o = overrides.find((o) => key === o.path || key.startsWith(o.path + "."));
      const at = file?.where(p);
      const where = o ? `environment ${o.variable}` : `${file?.path ?? EMBEDDED}${at ? ":" + at : ""}`;
      throw new ConfigError(
        `${where}: ${key}: a URL with a password is a secret and is never read from config ` +
          `(the value is not shown); drop the user:password@ part and give credentials through a secret ` +
          `(docs/CONFIG.md § Secrets)`,
      );
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i], file));
    else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) walk(child, [...p, k], file);
    }
  };
  for (const [file, data] of files) walk(data, [], file);
}

/** Unwraps default/prefault/optional/nullable wrappers to reach the structural schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema as z.ZodType & { _zod: { def: { innerType?: z.ZodType; type: string } } };
  while (s._zod.def.innerType) s = s._zod.def.innerType as typeof s;
  return s;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

/** Finds the key path in `schema` whose upper-cased `_`-joined form is `rest`, e.g. BATCH_BYTES → ["batch_bytes"]. */
function matchKey(schema: z.ZodType, rest: string): { path: string[]; leaf: z.ZodType } | undefined {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodObject)) return undefined;
  for (const [k, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
    const K = k.toUpperCase();
    if (rest === K) return { path: [k], leaf: unwrap(child) };
    if (rest.startsWith(K + "_")) {
      const sub = matchKey(child, rest.slice(K.length + 1));
      if (sub) return { path: [k, ...sub.path], leaf: sub.leaf };
    }
  }
  return undefined;
}

function parseEnvValue(raw: string, leaf: z.ZodType): unknown {
  if (leaf instanceof z.ZodArray) {
    const inner = unwrap(leaf.element as z.ZodType);
    return raw === "" ? [] : raw.split(",").map((x) => parseEnvValue(x.trim(), inner));
  }
  if (leaf instanceof z.ZodNumber || leaf instanceof z.ZodUnion || leaf instanceof z.ZodLiteral) {
    const n = Number(raw);
    if (raw.trim() !== "" && Number.isFinite(n)) return n;
    return raw;
  }
  if (leaf instanceof z.ZodBoolean) {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

export interface EnvOverride {
  variable: string;
  path: string;
  value: unknown;
}

/** Env var names that hold secrets: every `*_env` key's value in the files, or its default. */
function secretEnvNames(main: Record<string, unknown>, sources: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  const collect = (v: unknown) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (k.endsWith("_env") && typeof child === "string") names.add(child);
      else collect(child);
    }
  };
  const defaults = { ...MainFileSchema.parse({}), ...SourcesFileSchema.parse({}) };
  for (const v of [defaults, main, sources]) collect(v);
  return names;
}

/**
 * Applies `CRYPTORUN_<SECTION>_<KEY>` overrides. SECTION is a top-level section name, KEY the key path inside
 * it joined by `_`, both upper-cased (CRYPTORUN_STREAM_BATCH_BYTES → stream.batch_bytes). Variables whose
 * SECTION is not a section are left alone (CRYPTORUN_PG_DSN is a secret, not an override); a known SECTION
 * with an unknown KEY is an error, so a typo never passes silently.
 */
export function applyEnvOverrides(
  main: Record<string, unknown>,
  sources: Record<string, unknown>,
  env: Record<string, string>,
): EnvOverride[] {
  const applied: EnvOverride[] = [];
  const secretNames = secretEnvNames(main, sources);
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX)) continue;
    // A secret's variable (CRYPTORUN_KRAKEN_API_KEY is `kraken.api_key_env`'s default) is not an override.
    if (secretNames.has(name)) continue;
    const rest = name.slice(ENV_PREFIX.length);
    const section = Object.keys(ALL_SECTIONS).find((s) => rest.startsWith(s.toUpperCase() + "_"));
    if (!section) continue;
    const keyPart = rest.slice(section.length + 1);
    const m = matchKey(ALL_SECTIONS[section], keyPart);
    if (!m) {
      throw new ConfigError(
        `environment ${name}: section "${section}" has no key matching ${JSON.stringify(keyPart)} ` +
          `(keys: ${Object.keys(ALL_SECTIONS[section].shape).join(", ")})`,
      );
    }
    const target = section in MainFileSections ? main : sources;
    const value = parseEnvValue(raw, m.leaf);
    setPath(target, [section, ...m.path], value);
    applied.push({ variable: name, path: [section, ...m.path].join("."), value });
  }
  return applied;
}

function formatIssue(
  file: string,
  data: unknown,
  where: (p: PropertyKey[], key?: boolean) => string,
  issue: z.core.$ZodIssue,
) {
  const path = issue.path;
  const at = where(path);
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    const full = keys.map((k) => (path.length ? `${path.join(".")}.${k}` : k));
    const kat = where([...path, keys[0]], true);
    return `${file}${kat ? ":" + kat : ""}: ${full.join(", ")}: unknown key (allowed here: ${
      allowedKeys(path)
    })`;
  }
  const p = issueParts(issue, data, "(top level)");
  return `${file}${at ? ":" + at : ""}: ${p.field}: ${p.reason}, found ${p.found}`;
}

function allowedKeys(path: PropertyKey[]): string {
  if (path.length === 0) return Object.keys(ALL_SECTIONS).join(", ");
  let s: z.ZodType | undefined = ALL_SECTIONS[String(path[0])];
  for (const k of path.slice(1)) {
    const u: z.ZodType | undefined = s && unwrap(s);
    s = u instanceof z.ZodObject ? (u.shape as Record<string, z.ZodType>)[String(k)] : undefined;
  }
  const u = s && unwrap(s);
  return u instanceof z.ZodObject ? Object.keys(u.shape).join(", ") : "?";
}

function validate<T>(
  schema: z.ZodType<T>,
  file: ParsedFile | undefined,
  fallbackName: string,
  data: unknown,
  overrides: EnvOverride[],
): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const name = file?.path ?? fallbackName;
  const where = file?.where ?? (() => "");
  const lines = r.error.issues.slice(0, 5).map((i) => {
    // An issue inside a list or object that came from the environment (scan.quotes.1 of
    // CRYPTORUN_SCAN_QUOTES=USD,,USDT) is the variable's too.
    const key = i.path.join(".");
    const o = overrides.find((o) => key === o.path || key.startsWith(o.path + "."));
    // A value that came from the environment is reported against the variable, not the file.
    return o
      ? formatIssue(`environment ${o.variable}`, data, () => "", i)
      : formatIssue(name, data, where, i);
  });
  const more = r.error.issues.length > 5 ? `\n(+${r.error.issues.length - 5} more)` : "";
  throw new ConfigError(lines.join("\n") + more);
}

export interface LoadOptions {
  /** Path of cryptorun.yaml. When it is the default and missing, embedded defaults are used. */
  configPath?: string;
  /** True when the user named the file (then a missing file is an error). */
  explicit?: boolean;
  env?: Record<string, string>;
}

export interface Loaded {
  config: Config;
  overrides: EnvOverride[];
}

/** A missing config file means defaults; one that cannot be stat'ed is read, so readYaml names the error. */
function exists(path: string): Promise<boolean> {
  return pathExists(path).catch(() => true);
}

/**
 * Loads config/cryptorun.yaml and the data_sources.yaml beside it, applies env overrides and validates both
 * with zod. Errors name the file, line, key path and offending value.
 */
export async function loadConfig(opts: LoadOptions = {}): Promise<Loaded> {
  const configPath = opts.configPath ?? DEFAULT_CONFIG_PATH;
  const env = opts.env ?? Deno.env.toObject();
  let mainFile: ParsedFile | undefined;
  if (await exists(configPath)) mainFile = await readYaml(configPath);
  else if (opts.explicit) throw new ConfigError(`${configPath}: config file not found`);

  const sourcesPath = join(dirname(configPath), SOURCES_FILE_NAME);
  const sourcesFile = (await exists(sourcesPath)) ? await readYaml(sourcesPath) : undefined;

  for (const f of [mainFile, sourcesFile]) if (f) checkNoSecrets(f);

  // A section in the wrong file is a common mistake: say where it belongs.
  for (
    const [f, other, otherName] of [
      [mainFile, SourcesFileSections, SOURCES_FILE_NAME],
      [sourcesFile, MainFileSections, "cryptorun.yaml"],
    ] as const
  ) {
    if (!f) continue;
    for (const k of Object.keys(f.data)) {
      if (k in other) {
        throw new ConfigError(`${f.path}:${f.where([k], true)}: ${k}: this section belongs in ${otherName}`);
      }
    }
  }

  const main = structuredClone(mainFile?.data ?? {});
  const sources = structuredClone(sourcesFile?.data ?? {});
  const overrides = applyEnvOverrides(main, sources, env);
  checkNoUrlPasswords([[mainFile, main], [sourcesFile, sources]], overrides);
  const mainCfg = validate(MainFileSchema, mainFile, EMBEDDED, main, overrides);
  const srcCfg = validate(SourcesFileSchema, sourcesFile, EMBEDDED, sources, overrides);
  // The cold tier's tables: a declaration that cannot work fails here, not when a command first writes.
  try {
    resolveTables(srcCfg.cold);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${sourcesFile?.path ?? EMBEDDED}: ${err.message}`);
    throw err;
  }
  return {
    config: {
      ...mainCfg,
      ...srcCfg,
      files: { main: mainFile?.path ?? EMBEDDED, sources: sourcesFile?.path ?? EMBEDDED },
    },
    overrides,
  };
}
