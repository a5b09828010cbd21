/** A strict parser of the Prometheus text exposition format (0.0.4), enough to check what we serve. */
export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

function parseLabels(s: string, line: number): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL_RE.lastIndex = 0;
  while (LABEL_RE.lastIndex < s.length) {
    const m = LABEL_RE.exec(s);
    if (!m) throw new Error(`line ${line}: bad labels {${s}}`);
    if (m[1] in out) throw new Error(`line ${line}: duplicate label ${m[1]}`);
    // One pass, so an escaped backslash followed by "n" (`\\n`) stays a backslash and an "n".
    out[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => c === "n" ? "\n" : c);
  }
  return out;
}

function parseValue(v: string, line: number): number {
  // Go's ParseFloat (what Prometheus uses) takes Inf/NaN in any letter case; prom-client writes "Nan".
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  if (/^nan$/i.test(v)) return NaN;
  const n = Number(v);
  if (!/^-?[0-9.eE+-]+$/.test(v) || Number.isNaN(n)) throw new Error(`line ${line}: bad value ${v}`);
  return n;
}

/** Parses exposition text; throws naming the line on anything malformed or a sample outside its family. */
export function parseExposition(text: string): Map<string, Family> {
  const fams = new Map<string, Family>();
  let current: Family | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw === "") return;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(raw))) {
      current = fams.get(m[1]) ?? { name: m[1], type: "untyped", help: m[2], samples: [] };
      current.help = m[2];
      fams.set(m[1], current);
      return;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(raw))) {
      current = fams.get(m[1]) ?? { name: m[1], type: m[2], help: "", samples: [] };
      current.type = m[2];
      fams.set(m[1], current);
      return;
    }
    if (raw.startsWith("#")) throw new Error(`line ${line}: unexpected comment ${raw}`);
    const s = SAMPLE_RE.exec(raw);
    if (!s) throw new Error(`line ${line}: not a sample: ${raw}`);
    const fam = current;
    const base = s[1].replace(/_(bucket|sum|count)$/, "");
    if (!fam || (s[1] !== fam.name && base !== fam.name)) {
      throw new Error(`line ${line}: sample ${s[1]} outside its family (${fam?.name})`);
    }
    fam.samples.push({ name: s[1], labels: parseLabels(s[2] ?? "", line), value: parseValue(s[3], line) });
  });
  return fams;
}
