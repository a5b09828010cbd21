/**
 * PostgreSQL COPY text format (the default of `COPY … FROM STDIN`): tab-separated columns, `\N` for NULL,
 * backslash escapes for backslash, tab, newline and carriage return.
 */
export function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "number") return String(v);
  // Fast path: most values need no escaping.
  if (!/[\\\t\n\r]/.test(v)) return v;
  return v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

export function copyLine(fields: Array<string | number | null | undefined>): string {
  let s = "";
  for (let i = 0; i < fields.length; i++) s += (i ? "\t" : "") + copyField(fields[i]);
  return s + "\n";
}
