import { UsageError } from "./errors.ts";
/** A `host:port` to bind: the one validator of `metrics.listen` (config schema) and `serve --listen`. */
export interface ListenAddr {
  hostname: string;
  port: number;
}

export type ListenCheck = { ok: true; addr: ListenAddr } | { ok: false; reason: string };

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Why `host` is not an IPv4 address, IPv6 literal or DNS name; null when it is one. */
function hostProblem(host: string, bracketed: boolean): string | null {
  if (bracketed) {
    try {
      new URL(`http://[${host}]/`);
      return null;
    } catch {
      return `[${host}] is not an IPv6 address`;
    }
  }
  if (/^[\d.]+$/.test(host)) {
    const parts = host.split(".");
    const ok = parts.length === 4 &&
      parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
    return ok ? null : `${host} is not an IPv4 address (4 numbers 0–255, no leading zeros)`;
  }
  if (host.length > 253 || !host.split(".").every((l) => LABEL_RE.test(l))) {
    return `${host} is not a host name (letters, digits and '-' in dot-separated labels)`;
  }
  return null;
}

/**
 * Parses `host:port` or `[v6]:port`: the host an IPv4 address (each number 0–255), an IPv6 literal or a DNS
 * name; the port 0–65535 (0 = any free port). Pure; never throws.
 */
export function checkListen(value: string): ListenCheck {
  const m = /^\[([^\]]*)\]:(\d+)$/.exec(value) ?? /^([^\s:[\]]+):(\d+)$/.exec(value);
  if (!m) return { ok: false, reason: "expected host:port (e.g. 127.0.0.1:9464 or [::1]:9464)" };
  const bad = hostProblem(m[1], value.startsWith("["));
  if (bad) return { ok: false, reason: bad };
  const port = Number(m[2]);
  if (m[2].length > 5 || port > 65535) {
    return { ok: false, reason: `port ${m[2]} is out of range (0–65535; 0 = any free port)` };
  }
  return { ok: true, addr: { hostname: m[1], port } };
}

/**
 * Parses `host:port` or `[v6]:port` (port 0 = any free port) with the config schema's own validator
 * (`checkListen`); UsageError naming `what` and the value.
 */
export function parseListen(value: string, what = "--listen"): ListenAddr {
  const r = checkListen(value);
  if (!r.ok) throw new UsageError(`${what}: ${r.reason}, found ${JSON.stringify(value)}`);
  return r.addr;
}
