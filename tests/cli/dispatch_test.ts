// The one sub-action dispatcher (src/cli/dispatch.ts) and the action tables of cold, db and stream.
import assert from "node:assert/strict";
import type { Command, ParsedArgs } from "../../src/cli/command.ts";
import { resolveHandler } from "../../src/cli/dispatch.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { UsageError } from "../../src/util/errors.ts";

let loads = 0;
const fake: Command = {
  name: "tool",
  summary: "",
  help: "",
  options: { input: { type: "string" }, from: { type: "string" }, fast: { type: "boolean" } },
  actions: [
    {
      name: "read",
      usage: "",
      flags: ["input", "fast"],
      load: () => (loads++, Promise.resolve(() => Promise.resolve(7))),
    },
    { name: "list", usage: "", flags: [], load: () => (loads++, Promise.resolve(() => Promise.resolve(0))) },
  ],
};
const args = (positionals: string[], values: ParsedArgs["values"] = {}): ParsedArgs => ({
  positionals,
  values,
});

Deno.test("dispatch: the named action's handler, loaded only when everything checks out", async () => {
  const h = await resolveHandler(fake, args(["read"], { input: "x", fast: true, json: true }));
  assert.equal(await h({} as never, args([])), 7);
  assert.equal(loads, 1);
});

Deno.test("dispatch: missing/unknown action, stray argument, another action's flag → UsageError, nothing loaded", async () => {
  loads = 0;
  const cases: Array<[ParsedArgs, RegExp]> = [
    [args([]), /^tool: missing action \(one of read\|list\)$/],
    [args(["purge"]), /^tool: unknown action "purge" \(one of read\|list\)$/],
    [args(["read", "extra"]), /^tool read: unexpected argument "extra"$/],
    [args(["read"], { from: "2024" }), /^--from does not apply to tool read \(its flags: --input --fast\)$/],
    [args(["list"], { fast: true }), /^--fast does not apply to tool list$/],
  ];
  for (const [a, re] of cases) {
    await assert.rejects(
      resolveHandler(fake, a),
      (e) => e instanceof UsageError && re.test(e.message),
      re.source,
    );
  }
  assert.equal(loads, 0);
});

Deno.test("action tables: every action's usage is in its command's help, flags exist and are all used", () => {
  const withActions = COMMANDS.filter((c) => "actions" in c);
  assert.deepEqual(withActions.map((c) => c.name).sort(), ["cold", "db", "derivs", "stream"]);
  for (const c of withActions) {
    if (!("actions" in c)) continue;
    const used = new Set<string>();
    for (const a of c.actions) {
      assert.ok(c.help.includes(a.usage), `${c.name} ${a.name}: usage "${a.usage}" is not in the help`);
      for (const f of a.flags) {
        assert.ok(f in c.options, `${c.name} ${a.name}: flag --${f} is not an option`);
        assert.ok(c.help.includes(`--${f}`), `${c.name}: --${f} is not in the help`);
        used.add(f);
      }
    }
    assert.deepEqual(
      Object.keys(c.options).filter((o) => !used.has(o)),
      [],
      `${c.name}: options no action takes`,
    );
  }
});
