/**
 * The minimal root filesystem of the test image (deploy/image/image.ts), assembled from files of the host's
 * Debian packages because base images cannot be pulled on our machines: the dynamic loader and the shared
 * libraries the deno executable links (package libc6, libgcc-s1), the CA certificate bundle
 * (ca-certificates), and /etc/passwd + /etc/group naming the non-root user as distroless does. It is what
 * distroless/cc-debian12 holds for a glibc program, minus what deno does not load.
 */
import { dirname } from "node:path";
import { UID } from "./image.ts";

const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** The shared objects `ldd` reports for an executable (absolute paths, the loader included). */
export async function sharedLibraries(exe: string): Promise<string[]> {
  const r = await new Deno.Command("ldd", { args: [exe], stdout: "piped", stderr: "piped" }).output();
  if (!r.success) throw new Error(`ldd ${exe}: ${new TextDecoder().decode(r.stderr)}`);
  const libs = new Set<string>();
  for (const line of new TextDecoder().decode(r.stdout).split("\n")) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]);
  }
  return [...libs].sort();
}

async function copyInto(root: string, src: string, dst = src): Promise<void> {
  await Deno.mkdir(`${root}${dirname(dst)}`, { recursive: true });
  // Follow symlinks: the image gets the real file under the name the loader looks up.
  await Deno.copyFile(await Deno.realPath(src), `${root}${dst}`);
}

/** Writes the rootfs under `root`, with `deno` (the npm build of Deno) as /usr/bin/deno. */
export async function buildRootfs(root: string, deno: string): Promise<void> {
  for (const lib of await sharedLibraries(deno)) await copyInto(root, lib);
  await copyInto(root, deno, "/usr/bin/deno");
  await Deno.chmod(`${root}/usr/bin/deno`, 0o755);
  await copyInto(root, CA_BUNDLE);
  await Deno.mkdir(`${root}/etc`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/etc/passwd`,
    `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${UID}:${UID}:nonroot:/home/nonroot:/sbin/nologin\n`,
  );
  await Deno.writeTextFile(`${root}/etc/group`, `root:x:0:\nnonroot:x:${UID}:\n`);
  await Deno.mkdir(`${root}/home/nonroot`, { recursive: true });
}
