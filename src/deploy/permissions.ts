import { dirname, isAbsolute, resolve } from "node:path";
import type { Config } from "../config/schema.ts";

/**
 * The least Deno permissions a deployment of cryptorun needs, derived from its effective config: the binary
 * (`deno task compile`) and the container images are built with exactly these flags.
 *
 * - read and write: UNSCOPED, with the system locations denied (`--deny-write`, `--deny-read` below). The cold
 *   tier commits a snapshot by atomically switching its `current` symlink (docs/COLD.md: the one step that keeps
 *   DuckDB's glob and our readers on the old or the new table, never a mix), and Deno creates symlinks only with
 *   unscoped `--allow-read` and `--allow-write` ("a symlink's target is only resolved when the link is
 *   traversed"; path-scoped grants are refused, measured on Deno 2.9.6). Deny flags keep that grant: writes to
 *   the operating system's own directories are refused (every top-level system directory except those that hold
 *   the data dir or the config), and reads of credential stores (`/etc/shadow`, SSH keys) are refused.
 *   SECURITY.md says why, and how an operator confines the rest (container: read-only root filesystem and a
 *   non-root user; systemd: `ProtectSystem=strict`, `ReadWritePaths=` the data dir).
 * - net: the hosts the config names: Kraken REST and WebSocket, the listen address of `serve` (and the
 *   loopback address `health --server` asks when serve listens on every interface), loopback (any port) for
 *   the embedded database, which PGlite serves to our own client on a random port; the database of a
 *   `postgres` config, the broker of the configured stream backend, plus `extraHosts` (e.g. a DSN host that
 *   only exists at run time).
 * - env: every variable. The config loader enumerates `CRYPTORUN_*` overrides (Deno grants enumeration only
 *   with the unscoped flag), the secret names are configurable, and reading the environment gives the
 *   process nothing it was not started with.
 * - sys: `hostname` only (the stream consumer's default name).
 */
export interface PermissionInputs {
  config: Config;
  /** The data dir the deployment uses (absolute, or relative to `cwd`). */
  dataDir: string;
  /** The main config file (its directory holds data_sources.yaml too); undefined = embedded defaults. */
  configPath?: string;
  /** Hosts (`host` or `host:port`) to allow besides those the config names. */
  extraHosts?: string[];
  /** Hosts named by secrets resolvable now (the DSN, the Redis URL), e.g. from `secretHosts`. */
  secretHosts?: string[];
  /** `deno run` from source: this directory (code, migrations, fixtures) is readable too. */
  sourceRoot?: string;
  /** Extra readable paths (e.g. a directory of mounted secret files). */
  extraReads?: string[];
  cwd?: string;
}

/** `host:port` of a URL, with the scheme's default port when none is given. */
export function urlHost(url: string): string {
  const u = new URL(url);
  const port = u.port ||
    ({
      "https:": "443",
      "wss:": "443",
      "http:": "80",
      "ws:": "80",
      "postgres:": "5432",
      "postgresql:": "5432",
      // nodemailer's defaults: smtps → 465, smtp → 587.
      "smtps:": "465",
      "smtp:": "587",
    }[
      u.protocol
    ] ?? (u.protocol.startsWith("redis") ? "6379" : ""));
  return port ? `${u.hostname}:${port}` : u.hostname;
}

/** The host:port pairs the config's non-secret settings name (sorted, unique). */
export function configHosts(cfg: Config): string[] {
  const hosts = new Set<string>([urlHost(cfg.kraken.rest_base_url), urlHost(cfg.kraken.ws_url)]);
  const listen = cfg.metrics.listen;
  hosts.add(listen);
  const [host, port] = [listen.slice(0, listen.lastIndexOf(":")), listen.slice(listen.lastIndexOf(":") + 1)];
  // `health --server` (the container health check) asks a serve listening on every interface over loopback.
  if (host === "0.0.0.0") hosts.add(`127.0.0.1:${port}`);
  if (host === "[::]" || host === "::") hosts.add(`[::1]:${port}`);
  // The embedded database (PGlite) is served to our own client on a random loopback port.
  if (cfg.persistence.enabled && cfg.persistence.kind === "embedded") hosts.add("127.0.0.1");
  if (cfg.stream.enabled && cfg.stream.kind === "kafka") {
    for (const b of cfg.stream.kafka_brokers) hosts.add(b);
  }
  if (cfg.stream.enabled && cfg.stream.kind === "pulsar") hosts.add(urlHost(cfg.stream.pulsar_ws_url));
  return [...hosts].sort();
}

/** Hosts inside secret URLs (DSN, Redis URL) that are set now; host and port only, never the rest. */
export function secretHosts(
  cfg: Config,
  values: { dsn?: string; redisUrl?: string; alertWebhookUrl?: string; alertSmtpUrl?: string },
): string[] {
  const out: string[] = [];
  // `cryptorun report`'s alert channels (report.alerts): the webhook's and the SMTP server's host:port.
  if (values.alertWebhookUrl) out.push(urlHost(values.alertWebhookUrl));
  if (values.alertSmtpUrl && cfg.report.alerts.email_to.length) out.push(urlHost(values.alertSmtpUrl));
  if (cfg.persistence.enabled && cfg.persistence.kind === "postgres" && values.dsn) {
    out.push(urlHost(values.dsn));
  }
  if (cfg.stream.enabled && cfg.stream.kind === "redis" && values.redisUrl) {
    out.push(urlHost(values.redisUrl));
  }
  return out;
}

/** Top-level system directories no deployment writes to (unless the data dir or config lives under one). */
export const SYSTEM_DIRS = [
  "/bin",
  "/boot",
  "/etc",
  "/home",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr",
  "/var",
];

/** Credential stores that are never read. */
export const DENIED_READS = ["/etc/gshadow", "/etc/shadow", "/etc/ssh", "/root/.ssh"];

const within = (path: string, dir: string) => path === dir || path.startsWith(dir + "/");

/** The permission flags, in a stable order. */
export function leastPermissions(p: PermissionInputs): string[] {
  const cwd = p.cwd ?? Deno.cwd();
  const abs = (x: string) => (isAbsolute(x) ? x : resolve(cwd, x));
  const dataDir = abs(p.dataDir);
  // Paths the process must keep: the data dir (read and write), the config, the source tree, secret files.
  const kept = [dataDir];
  if (p.configPath) kept.push(dirname(abs(p.configPath)));
  if (p.sourceRoot) kept.push(abs(p.sourceRoot));
  for (const r of p.extraReads ?? []) kept.push(abs(r));
  const denyWrite = SYSTEM_DIRS.filter((d) => !kept.some((k) => within(k, d)));
  const denyRead = DENIED_READS.filter((d) => !kept.some((k) => within(k, d) || within(d, k)));
  const net = new Set([...configHosts(p.config), ...(p.secretHosts ?? []), ...(p.extraHosts ?? [])]);
  return [
    "--allow-read",
    `--deny-read=${denyRead.join(",")}`,
    "--allow-write",
    `--deny-write=${denyWrite.join(",")}`,
    `--allow-net=${[...net].sort().join(",")}`,
    "--allow-env",
    "--allow-sys=hostname",
  ];
}
