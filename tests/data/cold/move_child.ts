// A process that runs one `moveRows` (tests/data/cold/move_crash_test.ts kills it at its failpoints):
//   deno run -A tests/data/cold/move_child.ts <data-dir> <from> <to|-> <keys.json>
// prints the MoveResult as JSON. Not a test file (no _test suffix).
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";

const [dataDir, from, to, keysFile] = Deno.args;
const tables = openColdTables(ColdSection.parse({ snapshot_grace_ms: 0 }), dataDir, { log: { warn() {} } });
const keys = JSON.parse(await Deno.readTextFile(keysFile));
const r = await tables.moveRows(from, to === "-" ? null : to, keys, { command: "move_child" });
console.log(JSON.stringify(r));
