/**
 * Fills `{{name}}` placeholders. Every placeholder must have a value and every value a placeholder — a typo in
 * a template or a caller is an error, never a silently empty section.
 */
export function fillTemplate(tmpl: string, vars: Record<string, string>, name: string): string {
  const used = new Set<string>();
  const out = tmpl.replace(/\{\{([a-z_]+)\}\}/g, (_, k: string) => {
    if (!(k in vars)) throw new Error(`template ${name}: no value for {{${k}}}`);
    used.add(k);
    return vars[k];
  });
  for (const k of Object.keys(vars)) {
    if (!used.has(k)) throw new Error(`template ${name}: no placeholder {{${k}}}`);
  }
  return out;
}

/** The shipped templates (artifacts/templates/, included in the compiled binary). */
export const TEMPLATE_DIR = new URL("../../artifacts/templates/", import.meta.url);

export async function loadTemplate(file: string): Promise<string> {
  return await Deno.readTextFile(new URL(file, TEMPLATE_DIR));
}
