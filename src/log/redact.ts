/**
 * Redaction of secrets from anything that may reach a log line, an error message or a metric label.
 *
 * Two layers:
 *  1. Known secret values (DSNs, API keys read from env vars or secret files) are registered with
 *     `registerSecret` when loaded and replaced verbatim wherever they appear.
 *  2. Patterns catch secrets we were never told about: passwords inside URLs/DSNs, `key=value` and
 *     `"key": "value"` pairs whose key names a secret, libpq-style `password=...`, and bearer tokens.
 */

export const REDACTED = "***";

const knownSecrets = new Set<string>();

/** Registers a secret value so every later redaction replaces it. Values shorter than 4 chars are ignored. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 4) return;
  knownSecrets.add(value);
  // A DSN's password alone must go too (it may be printed without the rest of the URL).
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(value);
  if (m && m[1].length >= 4) {
    knownSecrets.add(m[1]);
    try {
      knownSecrets.add(decodeURIComponent(m[1]));
    } catch { /* not URI-encoded */ }
  }
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}

const SECRET_KEY =
  "(?:password|passwd|pwd|secret|api[_-]?key|apikey|api[_-]?secret|access[_-]?key|private[_-]?key|token|auth[_-]?token|client[_-]?secret|dsn)";

const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host  → scheme://user:***@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']*:)([^@\s"']+)(@)/gi, `$1${REDACTED}$3`],
  // Authorization: Bearer xxx / Basic xxx
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${REDACTED}`],
  // "api_key": "value"  (JSON)
  [new RegExp(`("[\\w-]*${SECRET_KEY}[\\w-]*"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi"), `$1"${REDACTED}"`],
  // api_key=value, password: value, token=value (query strings, libpq, YAML-ish, env dumps)
  [
    new RegExp(
      `(\\b[\\w-]*${SECRET_KEY}[\\w-]*(?<!_env|_file|_envs|_dir)\\s*[=:]\\s*)(?!\\*\\*\\*)(?!["{\\[])([^\\s&,;"'}]+)`,
      "gi",
    ),
    `$1${REDACTED}`,
  ],
];

/** Returns `text` with every registered secret and every secret-looking value replaced by `***`. */
export function redact(text: string): string {
  let out = text;
  // Patterns first, so a DSN keeps its shape (postgres://user:***@host); then any registered value left.
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  for (const s of knownSecrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Deep-redacts a plain value: strings are redacted, keys that name secrets get `***`. */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    const keyRe = new RegExp(`^[\\w-]*${SECRET_KEY}[\\w-]*$`, "i");
    for (const [k, v] of Object.entries(value)) {
      if (keyRe.test(k) && !/_(env|file|dir)$/i.test(k) && v !== null && v !== undefined && v !== "") {
        out[k] = REDACTED;
      } else {
        out[k] = redactValue(v);
      }
    }
    return out;
  }
  return value;
}
