import { z } from "zod";
import { ENV_PREFIX } from "../config/load.ts";
import { getPath } from "../config/load.ts";
import {
  ALL_SECTIONS,
  type Config,
  MainFileSchema,
  MainFileSections,
  SourcesFileSchema,
} from "../config/schema.ts";
import { SECRETS_DIR_ENV } from "../secrets/resolve.ts";

/** One config key as an environment variable (a row of the env var matrix in docs/DEPLOYMENT.md). */
export interface EnvKey {
  variable: string;
  /** Key path, e.g. `stream.batch_bytes`. */
  path: string;
  file: "cryptorun.yaml" | "data_sources.yaml";
  /** Type as the loader parses it: string, number, boolean, list (comma-separated) or one of the enum values. */
  type: string;
  /** The default, as YAML would write it (`—` when none). */
  default: string;
}

function unwrap(s: z.ZodType): { inner: z.ZodType } {
  let cur = s as z.ZodType & { _zod: { def: { innerType?: z.ZodType } } };
  while (cur._zod.def.innerType) cur = cur._zod.def.innerType as typeof cur;
  return { inner: cur };
}

function typeName(s: z.ZodType): string {
  if (s instanceof z.ZodEnum) return (s.options as string[]).join(" \\| ");
  if (s instanceof z.ZodArray) return `list of ${typeName(unwrap(s.element as z.ZodType).inner)}`;
  if (s instanceof z.ZodUnion) {
    return (s.options as z.ZodType[]).map((o) => o instanceof z.ZodLiteral ? String(o.value) : typeName(o))
      .join(
        " \\| ",
      );
  }
  if (s instanceof z.ZodNumber) return s.format?.includes("int") || s.isInt ? "integer" : "number";
  if (s instanceof z.ZodBoolean) return "boolean";
  if (s instanceof z.ZodString) return "string";
  return s._zod.def.type;
}

function show(v: unknown): string {
  if (v === undefined) return "—";
  if (Array.isArray(v)) {
    return v.every((x) => typeof x !== "object") ? v.join(",") || "(empty)" : "(see CONFIG.md)";
  }
  if (v && typeof v === "object") return "(see CONFIG.md)";
  return String(v);
}

/**
 * Every scalar or list key of both config files as its `CRYPTORUN_<SECTION>_<KEY>` variable, from the zod
 * schema (the same walk the loader's override matching does). Lists of objects (cold.parquet_schema.fields)
 * cannot be set from the environment and are left out.
 */
export function envKeys(): EnvKey[] {
  const out: EnvKey[] = [];
  // The embedded defaults, exactly as the loader computes them.
  const defaults = { ...MainFileSchema.parse({}), ...SourcesFileSchema.parse({}) };
  const walk = (schema: z.ZodType, path: string[], file: EnvKey["file"]) => {
    const { inner } = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      for (const [k, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        walk(child, [...path, k], file);
      }
      return;
    }
    if (inner instanceof z.ZodArray && unwrap(inner.element as z.ZodType).inner instanceof z.ZodObject) {
      return;
    }
    out.push({
      variable: ENV_PREFIX + path.join("_").toUpperCase(),
      path: path.join("."),
      file,
      type: typeName(inner),
      default: show(getPath(defaults, path)),
    });
  };
  for (const [name, schema] of Object.entries(ALL_SECTIONS)) {
    walk(schema, [name], name in MainFileSections ? "cryptorun.yaml" : "data_sources.yaml");
  }
  return out;
}

/** Environment variables that hold secrets (their names are config keys) plus the secrets directory. */
export function secretEnvNames(cfg: Config): string[] {
  return [
    cfg.persistence.dsn_env,
    cfg.stream.redis_url_env,
    cfg.stream.pulsar_token_env,
    cfg.kraken.api_key_env,
    cfg.kraken.api_secret_env,
    SECRETS_DIR_ENV,
  ];
}
