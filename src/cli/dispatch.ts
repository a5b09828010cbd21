import { UsageError } from "../util/errors.ts";
import type { Command, Handler, ParsedArgs } from "./command.ts";

/**
 * Picks the handler for parsed arguments — the one place sub-actions (`cold write|dump|stats`, `db …`,
 * `stream …`) are dispatched: the action named by the first positional, no other positional, and only the
 * flags that action declares. Everything here is checked before the handler is loaded.
 */
export async function resolveHandler(cmd: Command, args: ParsedArgs): Promise<Handler> {
  if (!("actions" in cmd)) return await cmd.load();
  const names = cmd.actions.map((a) => a.name).join("|");
  const [name, ...extra] = args.positionals;
  if (name === undefined) throw new UsageError(`${cmd.name}: missing action (one of ${names})`);
  const action = cmd.actions.find((a) => a.name === name);
  if (!action) throw new UsageError(`${cmd.name}: unknown action ${JSON.stringify(name)} (one of ${names})`);
  const subs = action.subactions ?? [];
  if (subs.length > 0) {
    const [sub, ...more] = extra;
    if (sub === undefined) {
      throw new UsageError(`${cmd.name} ${name}: missing operation (one of ${subs.join("|")})`);
    }
    if (!subs.includes(sub)) {
      throw new UsageError(
        `${cmd.name} ${name}: unknown operation ${JSON.stringify(sub)} (one of ${subs.join("|")})`,
      );
    }
    if (more.length > 0) {
      throw new UsageError(`${cmd.name} ${name} ${sub}: unexpected argument ${JSON.stringify(more[0])}`);
    }
  } else if (extra.length > 0) {
    throw new UsageError(`${cmd.name} ${name}: unexpected argument ${JSON.stringify(extra[0])}`);
  }
  for (const flag of Object.keys(cmd.options)) {
    if (args.values[flag] !== undefined && !action.flags.includes(flag)) {
      const own = action.flags.length ? ` (its flags: ${action.flags.map((f) => `--${f}`).join(" ")})` : "";
      throw new UsageError(`--${flag} does not apply to ${cmd.name} ${name}${own}`);
    }
  }
  return await action.load();
}
