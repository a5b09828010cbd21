/** Secrets: read from a file, a directory of files or an env var, redacted everywhere, rotated on SIGHUP. */
export { type ResolvedSecret, resolveSecret, type SecretRef, SECRETS_DIR_ENV } from "./resolve.ts";
export { onSecretRotated, reloadSecrets, startSecretRotation } from "./rotation.ts";
