import type { CheckResult, HealthInput } from "./check.ts";

/** The configuration loaded and validated (a config that does not validate never gets this far: exit 2). */
export function configCheck(input: HealthInput): Promise<CheckResult> {
  const f = input.config.files;
  return Promise.resolve({
    name: "config",
    ok: true,
    reason: "valid",
    details: { main: f.main, sources: f.sources },
  });
}

/** The data directory exists (or can be created) and is writable. */
export async function dataDirCheck(input: HealthInput): Promise<CheckResult> {
  const name = "data_dir";
  try {
    await Deno.mkdir(input.dataDir, { recursive: true });
    const probe = `${input.dataDir}/.health-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeTextFile(probe, "ok");
    await Deno.remove(probe);
    return { name, ok: true, reason: `${input.dataDir} writable` };
  } catch (err) {
    return { name, ok: false, reason: `${input.dataDir} not writable (${(err as Error).name})` };
  }
}
