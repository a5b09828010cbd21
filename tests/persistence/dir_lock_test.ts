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

Deno.test("dir lock: two takeovers of the same stale lock, exactly one wins", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "db.lock");
  const old = new Date(Date.now() - 3_600_000);
  await Deno.writeTextFile(path, "4242\n"); // abandoned while starting: stale
  await Deno.utime(path, old, old);
  // Process B takes over the same stale lock while we (A) sit between judging it stale and acting on it.
  const module = new URL("../../src/persistence/dir_lock.ts", import.meta.url).href;
  let b: { pid: number; out: string } | undefined;
  const judgedStale = async () => {
    if (b) return;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const { acquireDirLock } = await import(${JSON.stringify(module)});
         try { await acquireDirLock(${JSON.stringify(path)}, "X"); console.log("won"); }
         catch (e) { console.log("lost: " + e.message); }`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const r = await child.output();
    b = { pid: child.pid, out: new TextDecoder().decode(r.stdout).trim() };
  };
  await assert.rejects(acquireDirLock(path, "X", { judgedStale }), (e: Error) => {
    assert.ok(e instanceof InputError, `${e.name}: ${e.message}`);
    assert.match(e.message, new RegExp(`in use by process ${b?.pid} `));
    return true;
  });
  assert.equal(b?.out, "won");
  assert.equal((await Deno.readTextFile(path)).trim(), String(b?.pid), "B's fresh lock was deleted");
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

Deno.test("embedded database: two paths to one directory (a symlink) share one instance", async () => {
  await using dir = await tempDir();
  const real = join(dir.path, "data");
  const link = join(dir.path, "link");
  await Deno.mkdir(real);
  await Deno.symlink(real, link);
  const { openEmbedded } = await import("../../src/persistence/embedded.ts");
  const { nullLogger } = await import("../../src/log/logger.ts");
  const a = await openEmbedded(real, { log: nullLogger });
  try {
    const b = await openEmbedded(link, { log: nullLogger });
    try {
      assert.equal(b.where, a.where);
      // One instance, one connection: a session setting made through one opener is seen through the other.
      await a.sql`select set_config('cryptorun.probe', 'shared', false)`;
      const [{ v }] = await b.sql<
        { v: string | null }[]
      >`select current_setting('cryptorun.probe', true) as v`;
      assert.equal(v, "shared", "the symlinked path started a second database on the same files");
    } finally {
      await b.close();
    }
    await a.sql`select 1`; // still open for the first opener
  } finally {
    await a.close();
  }
});
