import assert from "node:assert/strict";
import { measure, measureOk } from "./proc.ts";
import { median, relSpread } from "./stats.ts";

Deno.test("load harness: a child's peak RSS, bytes written and exit code are its own", async () => {
  const r = await measure("python3", [
    "-c",
    "import sys; b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); " +
    "open('/dev/null', 'wb').write(b'y' * 3_000_000); sys.stdout.write('done'); sys.exit(3)",
  ]);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, "done");
  assert.ok(r.peakRssMb >= 80, `peak RSS ${r.peakRssMb} MB`);
  assert.ok(r.writtenBytes >= 3_000_000 && r.writtenBytes < 4_000_000, `written ${r.writtenBytes}`);
  assert.ok(r.cpuMs > 0);
  await assert.rejects(measureOk("python3", ["-c", "import sys; sys.exit(4)"]), /exited 4/);
});

Deno.test("load harness: median and relative spread", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(relSpread([1, 2, 3]), 1);
});
