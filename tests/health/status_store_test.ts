import assert from "node:assert/strict";
import { readComponentStatuses, statusDir, writeComponentStatus } from "../../src/health/status_store.ts";
import { tempDir } from "../helpers/tmp.ts";

Deno.test("component status: round trip, secrets redacted, bad files reported with the reason", async () => {
  await using dir = await tempDir();
  assert.deepEqual(await readComponentStatuses(dir.path), { statuses: [], invalid: [] });
  await writeComponentStatus(dir.path, {
    component: "scheduler.ingest",
    updated_at: 1000,
    last_success_at: null,
    last_error: { at: 900, message: "connect postgres://bob:pa55word-x@db/q failed" },
    consecutive_failures: 1,
  });
  const { statuses, invalid } = await readComponentStatuses(dir.path);
  assert.deepEqual(invalid, []);
  assert.equal(statuses.length, 1);
  assert.equal(statuses[0].state, "running");
  assert.deepEqual(statuses[0].backlog, {});
  assert.ok(!statuses[0].last_error!.message.includes("pa55word-x"), statuses[0].last_error!.message);
  // No temp files left behind (atomic write).
  assert.deepEqual([...Deno.readDirSync(statusDir(dir.path))].map((e) => e.name), ["scheduler.ingest.json"]);

  await Deno.writeTextFile(`${statusDir(dir.path)}/broken.json`, "{not json");
  await Deno.writeTextFile(
    `${statusDir(dir.path)}/wrong.json`,
    JSON.stringify({ component: "x", updated_at: -1 }),
  );
  const again = await readComponentStatuses(dir.path);
  assert.equal(again.statuses.length, 1);
  assert.equal(again.invalid.length, 2);
  assert.match(again.invalid[0], /broken\.json: /);
  assert.match(again.invalid[1], /wrong\.json: /);
  await assert.rejects(
    writeComponentStatus(dir.path, {
      component: "../escape",
      updated_at: 1,
      last_success_at: null,
      last_error: null,
      consecutive_failures: 0,
    }),
  );
});
