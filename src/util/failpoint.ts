/**
 * Named failpoints for crash tests (the way FoundationDB and TiKV test recovery): code that must survive a
 * crash at a given step calls `await failpoint("cold.before_switch")` there. Nothing happens unless the
 * environment variable `CRYPTORUN_FAILPOINT` names that point:
 *
 *   CRYPTORUN_FAILPOINT=<name>[:<n>][=<action>][,<name>…]
 *
 * `n` (default 1) is which hit of the point triggers; `action` is `kill` (default: the process SIGKILLs
 * itself — no finally block, no flush, no exit handler runs) or `sleep:<ms>` (pause, e.g. to hold a lock
 * while a test starts a second writer). The variable is read once, at the first failpoint reached.
 * docs/TESTING.md lists the points.
 */

interface Plan {
  at: number;
  hits: number;
  action: { kind: "kill" } | { kind: "sleep"; ms: number };
}

let plans: Map<string, Plan> | undefined;

const SPEC_RE = /^([a-z0-9_.]+)(?::(\d+))?(?:=(kill|sleep:\d+))?$/;

/** Parses a CRYPTORUN_FAILPOINT value; throws naming the bad entry. Exported for tests. */
export function parseFailpoints(value: string): Map<string, Plan> {
  const out = new Map<string, Plan>();
  for (const raw of value.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = SPEC_RE.exec(raw);
    if (!m || (m[2] !== undefined && Number(m[2]) < 1)) {
      throw new Error(
        `CRYPTORUN_FAILPOINT: expected name[:n][=kill|sleep:MS], found ${JSON.stringify(raw)}`,
      );
    }
    const action = m[3]?.startsWith("sleep:")
      ? { kind: "sleep" as const, ms: Number(m[3].slice(6)) }
      : { kind: "kill" as const };
    out.set(m[1], { at: m[2] === undefined ? 1 : Number(m[2]), hits: 0, action });
  }
  return out;
}

function load(): Map<string, Plan> {
  let value: string | undefined;
  try {
    value = Deno.env.get("CRYPTORUN_FAILPOINT");
  } catch {
    value = undefined; // no env permission: no failpoints
  }
  return value ? parseFailpoints(value) : new Map();
}

/** Reached a named point: kills or pauses the process when CRYPTORUN_FAILPOINT says so, else nothing. */
export async function failpoint(name: string): Promise<void> {
  plans ??= load();
  if (plans.size === 0) return;
  const p = plans.get(name);
  if (!p) return;
  p.hits++;
  if (p.hits !== p.at) return;
  if (p.action.kind === "sleep") {
    await new Promise((r) => setTimeout(r, (p.action as { ms: number }).ms));
    return;
  }
  Deno.kill(Deno.pid, "SIGKILL");
  // SIGKILL is delivered asynchronously: never run another step of the caller meanwhile.
  await new Promise(() => {});
}
