/**
 * deno task compose:secrets — writes the secret files docker-compose.yml mounts, with fresh random passwords,
 * into deploy/compose/secrets/ (git-ignored, mode 0600). Existing files are kept (re-running never rotates a
 * password a database already uses); `--force` replaces them.
 */
export const SECRETS_DIR = "deploy/compose/secrets";

/** URL-safe random password (24 bytes of entropy). */
export function password(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The files for one pair of passwords: the servers' settings and cryptorun's URLs, consistent. */
export function secretFiles(pg: string, redis: string): Record<string, string> {
  return {
    postgres_password: `${pg}\n`,
    "redis.conf": `requirepass ${redis}\nappendonly yes\n`,
    CRYPTORUN_PG_DSN: `postgres://cryptorun:${pg}@postgres:5432/cryptorun\n`,
    CRYPTORUN_REDIS_URL: `redis://:${redis}@redis:6379\n`,
  };
}

if (import.meta.main) {
  const dir = Deno.args.find((a) => a.startsWith("--dir="))?.slice(6) ?? SECRETS_DIR;
  const force = Deno.args.includes("--force");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const files = secretFiles(password(), password());
  const exists = await Promise.all(
    Object.keys(files).map((f) => Deno.stat(`${dir}/${f}`).then(() => true, () => false)),
  );
  if (exists.some(Boolean) && !force) {
    if (exists.every(Boolean)) {
      console.error(`compose:secrets: ${dir} already holds every secret (--force to replace them)`);
      Deno.exit(0);
    }
    console.error(`compose:secrets: ${dir} holds only some secrets; --force writes a fresh, consistent set`);
    Deno.exit(2);
  }
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text, { mode: 0o600 });
  }
  console.error(`compose:secrets: wrote ${Object.keys(files).join(", ")} to ${dir} (mode 0600)`);
}
