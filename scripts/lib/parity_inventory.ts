/**
 * What the code defines, for the docs-parity check (scripts/docs_parity.ts): CLI commands, sub-actions and
 * flags (from the command registry — metadata only, no implementation is loaded), config keys (from the zod
 * schemas), metric names (from the metrics registry), the `CRYPTORUN_*` variables the config loader accepts
 * (overrides and secrets), alerts and dashboards.
 */
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { COMMANDS } from "../../src/cli/registry.ts";
import { GLOBAL_OPTIONS } from "../../src/cli/globals.ts";
import { ALL_SECTIONS, MainFileSchema, SourcesFileSchema } from "../../src/config/schema.ts";
import { envKeys } from "../../src/deploy/env_keys.ts";
import { SECRETS_DIR_ENV } from "../../src/secrets/resolve.ts";
import { enableDefaultMetrics, registry } from "../../src/metrics/registry.ts";

export interface CliAction {
  name: string;
  flags: string[];
}
export interface CliCommand {
  name: string;
  /** Every flag the command declares. */
  flags: string[];
  /** Sub-actions (cold write …); empty for a command without them. */
  actions: CliAction[];
}
export interface Inventory {
  globalFlags: string[];
  /** Short forms of global flags: `q` → `quiet`. */
  globalShort: Record<string, string>;
  /** Global flags that take a value (a following token is their value). */
  globalValued: string[];
  commands: CliCommand[];
  /** Command flags that take a value, per command. */
  valued: Record<string, string[]>;
  /** Config key paths (`cold.row_group_size`, `gates.liquidity.trending.vadr_min`, `cold.parquet_schema.fields`). */
  configKeys: string[];
  /** Object nodes of the config (`gates.liquidity`, `cold.parquet_schema`): a doc may name them too. */
  configObjects: string[];
  /** Every metric name of the registry: our own. */
  metrics: string[];
  /** Process/runtime metrics of prom-client's default collector (a doc may cover them with a `…_*` pattern). */
  defaultMetrics: string[];
  /** Variables the config loader accepts, with what each is. */
  envVars: Record<string, string>;
  /** Other `CRYPTORUN_*` names the code reads or sets (test harness, failpoints): a doc may name them. */
  otherEnvVars: string[];
  alerts: string[];
  dashboards: string[];
  /** Failpoint names (`cold.gc`: dotted like a config key, but not one). */
  failpoints: string[];
  /** Database tables named `cryptorun_*` (not metrics). */
  tables: string[];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s as z.ZodType & { _zod: { def: { innerType?: z.ZodType } } };
  while (cur._zod.def.innerType) cur = cur._zod.def.innerType as typeof cur;
  return cur;
}

/**
 * Leaf key paths and object paths of the config schemas. A list of objects is a leaf (its items are prose). A
 * record (`cold.tables`) is a leaf key too; the paths inside its entries (`cold.tables.<name>.path`) are
 * listed as objects: documents may name them, no row is required for each.
 */
export function configPaths(): { keys: string[]; objects: string[] } {
  const keys: string[] = [];
  const objects: string[] = [];
  const walk = (schema: z.ZodType, path: string[], inRecord: boolean) => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      if (path.length > 1) objects.push(path.join("."));
      for (const [k, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        walk(child, [...path, k], inRecord);
      }
      return;
    }
    if (inRecord) objects.push(path.join("."));
    else keys.push(path.join("."));
    if (inner instanceof z.ZodRecord) {
      walk(inner._zod.def.valueType as z.ZodType, [...path, "<name>"], true);
    }
  };
  for (const [name, schema] of Object.entries(ALL_SECTIONS)) walk(schema, [name], false);
  return { keys, objects };
}

/** Every match of `re`'s first group in the files under `dirs` (of the given extensions). */
async function grepCode(root: string, dirs: string[], ext: RegExp, re: RegExp): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await visit(p);
      else if (ext.test(e.name)) {
        for (const m of (await Deno.readTextFile(p)).matchAll(re)) found.add(m[1]);
      }
    }
  };
  for (const d of dirs) await visit(`${root}/${d}`).catch(() => {});
  return [...found].sort();
}

/** `CRYPTORUN_*` names anywhere in the code (failpoints, the test harness, deploy files). */
function codeEnvVars(root: string): Promise<string[]> {
  return grepCode(
    root,
    ["src", "scripts", "bench", "deploy", ".ci", "tests/helpers"],
    /(\.(ts|sh|ya?ml)|^run)$/,
    /\b(CRYPTORUN_[A-Z0-9_]*[A-Z0-9])\b/g,
  );
}

export async function inventory(root: string): Promise<Inventory> {
  const valuedOf = (o: Record<string, { type: string }>) =>
    Object.entries(o).filter(([, v]) => v.type === "string").map(([k]) => k);
  const commands = COMMANDS.map((c): CliCommand => ({
    name: c.name,
    flags: Object.keys(c.options),
    actions: "actions" in c ? c.actions.map((a) => ({ name: a.name, flags: [...a.flags] })) : [],
  }));
  const { keys, objects } = configPaths();

  const own = registry.getMetricsAsArray().map((m) => m.name);
  enableDefaultMetrics();
  const all = registry.getMetricsAsArray().map((m) => m.name);
  const defaults = all.filter((n) => !own.includes(n));

  const envVars: Record<string, string> = {};
  for (const k of envKeys()) envVars[k.variable] = `config key ${k.path}`;
  const defaultsCfg = { ...MainFileSchema.parse({}), ...SourcesFileSchema.parse({}) } as Record<
    string,
    unknown
  >;
  const collect = (v: unknown, path: string[]) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (k.endsWith("_env") && typeof child === "string") {
        envVars[child] = `the secret of ${[...path, k].join(".")}`;
      } else collect(child, [...path, k]);
    }
  };
  collect(defaultsCfg, []);
  envVars[SECRETS_DIR_ENV] = "the secrets directory";

  const alertsDoc = parseYaml(await Deno.readTextFile(`${root}/deploy/prometheus/alerts.yml`)) as {
    groups: Array<{ rules: Array<{ alert?: string }> }>;
  };
  const alerts = alertsDoc.groups.flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => !!a));
  const dashboards: string[] = [];
  for await (const e of Deno.readDir(`${root}/deploy/grafana`)) {
    if (e.name.endsWith(".json")) dashboards.push(e.name);
  }

  return {
    globalFlags: Object.keys(GLOBAL_OPTIONS),
    globalShort: Object.fromEntries(
      Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.short).map(([k, o]) => [o.short!, k]),
    ),
    globalValued: valuedOf(GLOBAL_OPTIONS),
    commands,
    valued: Object.fromEntries(COMMANDS.map((c) => [c.name, valuedOf(c.options)])),
    configKeys: keys,
    configObjects: objects,
    metrics: own,
    defaultMetrics: defaults,
    envVars,
    otherEnvVars: (await codeEnvVars(root)).filter((v) => !(v in envVars)),
    alerts,
    dashboards: dashboards.sort(),
    failpoints: await grepCode(root, ["src"], /\.ts$/, /failpoint\("([a-z0-9_.]+)"\)/g),
    tables: await grepCode(
      root,
      ["src", "migrations"],
      /\.(ts|sql)$/,
      /CREATE TABLE (?:IF NOT EXISTS )?(cryptorun_[a-z0-9_]+)/gi,
    ),
  };
}
