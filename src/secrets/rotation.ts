import { dirname } from "node:path";
import type { Logger } from "../log/logger.ts";
import { rereadSecret, SECRETS_DIR_ENV, trackedSecrets } from "./resolve.ts";

/**
 * Secret rotation for long-running processes (`serve`): on SIGHUP and whenever a watched secret file changes
 * (Kubernetes swaps a mounted Secret's `..data` symlink; compose or an operator rewrites the file), every
 * secret read so far is read again. A changed value is registered with the redactor first, then the
 * listeners of that secret run (e.g. the health check drops its database connection, so the next ping opens
 * one with the new DSN). Jobs that open their connections per run (scan, ingest) read the new value on their
 * next run. The old value stays registered: it is still a secret wherever it was already logged from.
 */
type Listener = (value: string | undefined) => void | Promise<void>;

const listeners = new Map<string, Set<Listener>>();

/** Calls `fn` whenever the secret `what` (e.g. "persistence.dsn") changes; returns the unsubscribe. */
export function onSecretRotated(what: string, fn: Listener): () => void {
  let set = listeners.get(what);
  if (!set) listeners.set(what, set = new Set());
  set.add(fn);
  return () => set.delete(fn);
}

/** Reads every tracked secret again; returns the names whose value changed (never the values). */
export async function reloadSecrets(log?: Logger): Promise<string[]> {
  const changed: string[] = [];
  for (const t of trackedSecrets()) {
    const before = t.last.value;
    let after: string | undefined;
    try {
      after = (await rereadSecret(t)).value;
    } catch (err) {
      // A file caught half-rewritten or removed for a moment: keep the old value, say which secret.
      log?.warn("secret reload failed; keeping the previous value", { secret: t.what, error: err });
      continue;
    }
    if (after === before) continue;
    changed.push(t.what);
    log?.info("secret rotated", { secret: t.what, source: t.last.source });
    for (const fn of listeners.get(t.what) ?? []) {
      try {
        await fn(after);
      } catch (err) {
        log?.error("secret rotation listener failed", { secret: t.what, error: err });
      }
    }
  }
  return changed;
}

/** Directories holding the tracked secret files (and the secrets directory). */
function watchedDirs(): string[] {
  const dirs = new Set<string>();
  for (const t of trackedSecrets()) {
    if (t.last.path) dirs.add(dirname(t.last.path));
    const d = t.env[SECRETS_DIR_ENV];
    if (d) dirs.add(d);
  }
  return [...dirs].sort();
}

/**
 * Starts rotation until `signal` aborts: SIGHUP → reload; a change under a watched directory → reload after
 * `debounceMs` of quiet. Returns a promise that settles when rotation has stopped.
 */
export function startSecretRotation(
  opts: { signal: AbortSignal; log?: Logger; debounceMs?: number },
): { stopped: Promise<void> } {
  const { signal, log } = opts;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = Promise.resolve();
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => reloadSecrets(log).then(() => {}));
    }, opts.debounceMs ?? 200);
  };
  const onHup = () => {
    log?.info("SIGHUP: reloading secrets");
    running = running.then(() => reloadSecrets(log).then(() => {}));
  };
  let hup = false;
  try {
    Deno.addSignalListener("SIGHUP", onHup);
    hup = true;
  } catch { /* no SIGHUP on this platform */ }
  const watchers: Deno.FsWatcher[] = [];
  for (const dir of watchedDirs()) {
    try {
      watchers.push(Deno.watchFs(dir, { recursive: false }));
    } catch (err) {
      log?.warn("cannot watch secret directory; rotation by SIGHUP only", { dir, error: err });
    }
  }
  const loops = watchers.map(async (w) => {
    try {
      for await (const _ of w) schedule();
    } catch { /* closed */ }
  });
  const stop = () => {
    clearTimeout(timer);
    if (hup) Deno.removeSignalListener("SIGHUP", onHup);
    for (const w of watchers) {
      try {
        w.close();
      } catch { /* already closed */ }
    }
  };
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  return { stopped: Promise.all(loops).then(() => running) };
}
