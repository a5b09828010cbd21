import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireDirLock } from "../../src/persistence/dir_lock.ts";
import { InputError } from "../../src/util/errors.ts";
import { spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openBackend } from "./backends.ts";

Deno.test("dir lock: a live owner is refused by pid; dead, own-pid and abandoned leftovers are taken over", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "db.lock");
  // A live owner: something answers on the recorded loopback port.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const c of listener) c.close();
  })();
  try {
    await Deno.writeTextFile(path, `4242 ${listener.addr.port}\n`);
    await assert.rejects(acquireDirLock(path, "X"), (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /embedded database X is in use by process 4242 /);
      return true;
    });
    // An owner still starting (no port yet, fresh file) is live too.
    await Deno.writeTextFile(path, "4243\n");
    await assert.rejects(acquireDirLock(path, "X"), /in use by process 4243/);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
  // Nobody answers on the port any more / own pid / unreadable / abandoned while starting.
  const old = new Date(Date.now() - 3_600_000);
  for (const leftover of [`4242 ${listener.addr.port}\n`, `${Deno.pid} 1\n`, "garbage", "4244\n"]) {
    await Deno.writeTextFile(path, leftover);
    await Deno.utime(path, old, old);
    const lock = await acquireDirLock(path, "X");
    assert.equal((await Deno.readTextFile(path)).trim(), String(Deno.pid));
    await lock.setPort(5555);
    assert.equal((await Deno.readTextFile(path)).trim(), `${Deno.pid} 5555`);
    await lock.release();
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  }
});

Deno.test("embedded database: a second process on the same data dir is refused naming the owner", async () => {
  await using o = await openBackend("embedded");
  await o.p.ping();
  const r = await spawnCli(["--data-dir", o.dataDir, "db", "status"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`is in use by process ${Deno.pid} `));
  // The same process shares the open database instead.
  const { openPersistence } = await import("../../src/persistence/open.ts");
  const { PersistenceSection } = await import("../../src/config/sections/persistence.ts");
  const second = await openPersistence(PersistenceSection.parse({}), o.dataDir, {});
  await second.ping();
  await second.close();
  await o.p.ping(); // still open for the first user
});
