/**
 * One CSV line's fields (RFC 4180 quoting: a field holding `,` or `"` is quoted, `"` doubled). String
 * columns never hold line breaks (row_check.ts), so a record is always one line. Numbers never need quotes.
 */

/** A string as a CSV field: quoted only when it holds a comma or a quote. */
export function csvField(s: string): string {
  if (s.indexOf(",") < 0 && s.indexOf('"') < 0) return s;
  return `"${s.replaceAll('"', '""')}"`;
}

/** The fields of one line; null when its quoting is malformed (a quote inside an unquoted field, …). */
export function splitCsvLine(line: string): string[] | null {
  if (line.indexOf('"') < 0) return line.split(",");
  const out: string[] = [];
  let i = 0;
  while (true) {
    if (line[i] === '"') {
      let v = "";
      i++;
      while (true) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      if (i === line.length) return out;
      if (line[i] !== ",") return null;
      i++;
    } else {
      const c = line.indexOf(",", i);
      const v = c < 0 ? line.slice(i) : line.slice(i, c);
      if (v.indexOf('"') >= 0) return null;
      out.push(v);
      if (c < 0) return out;
      i = c + 1;
    }
  }
}
