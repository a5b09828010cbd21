import { basename, dirname, resolve } from "node:path";
import { loadConfig } from "../src/config/load.ts";
import { resolveSecret, SECRETS_DIR_ENV } from "../src/secrets/mod.ts";
import { leastPermissions, secretHosts } from "../src/deploy/permissions.ts";
import { ENTRY_PATHS } from "../src/util/entries.ts";

/**
 * deno task compile — builds dist/cryptorun, the single executable, with the least permissions its deployment
 * needs (src/deploy/permissions.ts): read and write with the system directories denied (Deno creates the cold
 * tier's commit symlink only under unscoped read/write), network to the hosts the config names. Compile it for the deployment it will run in:
 *
 *   deno task compile [--config=FILE] [--data-dir=DIR] [--allow-host=HOST[:PORT],…] [--output=FILE]
 *                     [--target=TRIPLE]
 *
 * The config is loaded exactly as the binary will load it (env overrides included); secrets set now (the DSN,
 * the Redis URL) contribute their host:port, never anything else. `--allow-host` adds hosts that exist only
 * at run time. Next to the binary it writes `<output>.sha256` (`sha256sum -c` format).
 *
 * `deno compile` downloads its runtime (denort) unless DENORT_BIN points at one; this script passes the
 * environment through, so `DENORT_BIN=/path/to/denort deno task compile` builds offline.
 */

/** Permission kinds of the binary; the `cryptorun` task in deno.json grants the same kinds, unscoped. */
export const PERMISSION_KINDS = ["env", "net", "read", "sys", "write"] as const;

/** Files the binary reads at run time that are not imported modules (embedded: no read permission needed). */
export const COMPILE_INCLUDES = ["migrations", "fixtures", "config", "artifacts/templates"] as const;

/**
 * npm package files kept out of the binary, relative to Deno's npm cache. bintrees (a dependency of
 * prom-client's tdigest) ships extensionless test data (`test/perf/100k`: 200k lines of signed numbers) that
 * Deno 2.9's compile step parses as one enormous expression and overflows its stack on (denoland/deno#36746).
 */
export const NPM_EXCLUDES = ["registry.npmjs.org/bintrees/1.0.2/test"] as const;

export interface CompileOptions {
  permissions: string[];
  output?: string;
  target?: string;
  npmCache?: string;
}

export function compileArgs(o: CompileOptions): string[] {
  return [
    "compile",
    ...o.permissions,
    // Every wasm asset (parquet-wasm, PGlite's wasm and data files, hash-wasm) ships inside its npm package,
    // and compile embeds the packages main.ts reaches, whole.
    ...COMPILE_INCLUDES.flatMap((p) => ["--include", p]),
    // The modules the CLI loads by a run-time specifier (src/util/entries.ts): extra roots of the graph, so
    // they and everything they import are embedded.
    ...ENTRY_PATHS.flatMap((p) => ["--include", p]),
    // Only what main.ts and those entries reach (dev-only packages such as DuckDB stay out); every other
    // dynamic import in src/ is a string literal, so the stream backends are reachable.
    "--exclude-unused-npm",
    ...(o.npmCache ? NPM_EXCLUDES.flatMap((p) => ["--exclude", `${o.npmCache}/${p}`]) : []),
    ...(o.target ? ["--target", o.target] : []),
    "--output",
    o.output ?? "dist/cryptorun",
    "main.ts",
  ];
}

function flag(name: string): string | undefined {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The binary's permission flags for a config file, data dir and extra hosts (env as the binary will see). */
export async function binaryPermissions(opts: {
  configPath?: string;
  dataDir?: string;
  extraHosts?: string[];
  env?: Record<string, string>;
}): Promise<string[]> {
  const env = opts.env ?? Deno.env.toObject();
  const configPath = opts.configPath ?? "config/cryptorun.yaml";
  const { config } = await loadConfig({ configPath, explicit: opts.configPath !== undefined, env });
  // A secret file mounted only at run time (Kubernetes, compose) is not an error here: --allow-host names
  // its host instead.
  const unset = { value: undefined };
  const dsn = await resolveSecret(
    { env: config.persistence.dsn_env, file: config.persistence.dsn_file },
    "persistence.dsn",
    env,
  ).catch(() => unset);
  const redis = await resolveSecret(
    { env: config.stream.redis_url_env, file: config.stream.redis_url_file },
    "stream.redis_url",
    env,
  ).catch(() => unset);
  const webhook = await resolveSecret(
    { env: config.report.alerts.webhook_url_env, file: config.report.alerts.webhook_url_file },
    "report.alerts.webhook_url",
    env,
  ).catch(() => unset);
  const smtp = await resolveSecret(
    { env: config.report.alerts.smtp_url_env, file: config.report.alerts.smtp_url_file },
    "report.alerts.smtp_url",
    env,
  ).catch(() => unset);
  return leastPermissions({
    config,
    dataDir: resolve(opts.dataDir ?? config.app.data_dir),
    configPath: resolve(configPath),
    secretHosts: secretHosts(config, {
      dsn: dsn.value,
      redisUrl: redis.value,
      alertWebhookUrl: webhook.value,
      alertSmtpUrl: smtp.value,
    }),
    extraHosts: opts.extraHosts,
    // Secret files: their directories, and the secrets directory (src/secrets/resolve.ts).
    extraReads: [
      ...[
        config.persistence.dsn_file,
        config.stream.redis_url_file,
        config.report.alerts.webhook_url_file,
        config.report.alerts.smtp_url_file,
      ].filter((f): f is string => !!f)
        .map((f) => dirname(resolve(f))),
      ...(env[SECRETS_DIR_ENV] ? [resolve(env[SECRETS_DIR_ENV])] : []),
    ],
  });
}

/** `sha256sum` line for a file: `<hex>  <name>`. */
export async function sha256Line(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex}  ${basename(path)}\n`;
}

if (import.meta.main) {
  const output = flag("output") ?? "dist/cryptorun";
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      await Deno.stat(denort);
    } catch {
      console.error(`compile: DENORT_BIN=${denort}: no such file`);
      Deno.exit(2);
    }
  }
  let permissions: string[];
  try {
    permissions = await binaryPermissions({
      configPath: flag("config"),
      dataDir: flag("data-dir"),
      extraHosts: flag("allow-host")?.split(",").filter(Boolean),
    });
  } catch (err) {
    console.error(`compile: ${(err as Error).message}`);
    Deno.exit(2);
  }
  await Deno.mkdir(dirname(output), { recursive: true });
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stderr: "null" }).output();
  const npmCache = info.success
    ? (JSON.parse(new TextDecoder().decode(info.stdout)) as { npmCache?: string }).npmCache
    : undefined;
  const args = compileArgs({ permissions, output, target: flag("target"), npmCache });
  console.error(`compile: deno ${args.join(" ")}${denort ? `  (DENORT_BIN=${denort})` : ""}`);
  const r = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "inherit" }).output();
  if (r.code !== 0) {
    console.error(
      "compile: failed. deno compile downloads its runtime (denort) unless DENORT_BIN names a local copy " +
        "(e.g. from the denort release zip for your platform).",
    );
    Deno.exit(r.code);
  }
  await Deno.writeTextFile(`${output}.sha256`, await sha256Line(output));
  console.error(
    `compile: wrote ${output} and ${output}.sha256 (verify: cd ${dirname(output)} && sha256sum -c ${
      basename(output)
    }.sha256)`,
  );
}
