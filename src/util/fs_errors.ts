/**
 * Filesystem and permission errors as one plain line naming the path. Deno's own texts are written for
 * developers running scripts (`Requires all access to "/sys/x", run again with the --allow-all flag`); a user
 * of the compiled binary cannot pass Deno flags, and `Is a directory (os error 21)` names no path.
 */

const PLAIN: Record<string, string> = {
  PermissionDenied: "permission denied",
  NotFound: "no such file or directory",
  AlreadyExists: "already exists",
  NotADirectory: "a parent of it is not a directory",
  IsADirectory: "is a directory, not a file",
  ReadOnly: "read-only file system",
  FilesystemLoop: "too many levels of symbolic links",
};

/** The path in a Deno error message: `… open '/x'` / `… mkdir '/x' -> '/y'` or `access to "/x"`. */
function pathIn(message: string): string | undefined {
  return /access to "([^"]+)"/.exec(message)?.[1] ?? /: [a-z_]+ '([^']+)'/.exec(message)?.[1];
}

/**
 * A plain message for a filesystem or permission error (undefined for anything else, and for errors whose
 * message names no path: the caller wraps those with the path it was working on).
 */
export function describeFsError(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof Deno.errors.NotCapable) {
    const path = pathIn(err.message);
    return path === undefined
      ? undefined
      : `cannot use ${path}: system locations such as /proc, /sys and /dev ` +
        `are off-limits to cryptorun; choose another path (e.g. --data-dir)`;
  }
  const plain = PLAIN[err.name];
  if (!plain) return undefined;
  const path = pathIn(err.message);
  if (path === undefined) return undefined;
  const os = /\(os error \d+\)/.exec(err.message)?.[0];
  return `${path}: ${plain}${os ? ` ${os}` : ""}`;
}
