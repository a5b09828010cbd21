/**
 * One command, measured (tests/load/lib/rusage.py): wall time, CPU (user + system), peak RSS and bytes
 * read/written through syscalls, exact for the child alone. Needs python3 (on every machine of ours).
 */
const RUSAGE = new URL("./rusage.py", import.meta.url).pathname;

export interface ProcCost {
  code: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  /** Bytes passed through read(2)-style syscalls (files, pipes, sockets; module loading included). */
  readBytes: number;
  writtenBytes: number;
  stdout: string;
  stderr: string;
}

export async function measure(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ProcCost> {
  const out = await Deno.makeTempFile({ prefix: "cryptorun-load-rusage-", suffix: ".json" });
  try {
    let r: Deno.CommandOutput;
    try {
      r = await new Deno.Command("python3", {
        args: [RUSAGE, out, cmd, ...args],
        cwd: opts.cwd,
        env: { NO_COLOR: "1", ...opts.env },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(
          "the load harness needs python3 to measure child processes (apt-get install python3)",
        );
      }
      throw e;
    }
    const dec = new TextDecoder();
    const j = JSON.parse(await Deno.readTextFile(out));
    return {
      code: r.code,
      wallMs: j.wall_ms,
      cpuMs: j.user_ms + j.sys_ms,
      peakRssMb: j.peak_rss_kb / 1024,
      readBytes: j.rchar,
      writtenBytes: j.wchar,
      stdout: dec.decode(r.stdout),
      stderr: dec.decode(r.stderr),
    };
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

/** Like `measure`, and fails naming the command when it exits non-zero. */
export async function measureOk(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ProcCost> {
  const r = await measure(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${[cmd, ...args].join(" ")} exited ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
    );
  }
  return r;
}

/** CPU ms and peak RSS of a running process from /proc (for long-lived servers we own). */
export function procSample(pid: number): { cpuMs: number; rssMb: number; peakRssMb: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { cpuMs: ticks * 10, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** I/O counters of a running process (rchar/wchar). */
export function procIo(pid: number): { read: number; written: number } {
  const t = Deno.readTextFileSync(`/proc/${pid}/io`);
  const v = (k: string) => Number(new RegExp(`^${k}: (\\d+)$`, "m").exec(t)?.[1] ?? NaN);
  return { read: v("rchar"), written: v("wchar") };
}
