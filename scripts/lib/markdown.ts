/** Just enough Markdown structure for the docs tools: headings, sections, fenced code, inline code. */

export interface Section {
  /** Heading text without the #s. */
  title: string;
  level: number;
  /** 1-based line of the heading (0 for the text before the first heading). */
  line: number;
  /** The section's own lines (up to the next heading of the same or a higher level), heading excluded. */
  body: string[];
}

const FENCE_RE = /^\s*(```|~~~)/;

/** Every heading with its body (nested sections included in their parent's body). Fenced code is not a heading. */
export function sections(text: string): Section[] {
  const lines = text.split("\n");
  const heads: Array<{ title: string; level: number; i: number }> = [];
  let fenced = false;
  lines.forEach((l, i) => {
    if (FENCE_RE.test(l)) fenced = !fenced;
    const m = !fenced && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l);
    if (m) heads.push({ title: m[2], level: m[1].length, i });
  });
  return heads.map((h, k) => {
    const next = heads.slice(k + 1).find((o) => o.level <= h.level);
    return {
      title: h.title,
      level: h.level,
      line: h.i + 1,
      body: lines.slice(h.i + 1, next ? next.i : lines.length),
    };
  });
}

/** The first section whose title matches. */
export function section(text: string, title: string | RegExp): Section | undefined {
  return sections(text).find((s) => typeof title === "string" ? s.title === title : title.test(s.title));
}

/** Lines inside fenced code blocks. */
export function codeLines(lines: string[]): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const l of lines) {
    if (FENCE_RE.test(l)) fenced = !fenced;
    else if (fenced) out.push(l);
  }
  return out;
}

/** Lines outside fenced code blocks. */
export function proseLines(lines: string[]): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const l of lines) {
    if (FENCE_RE.test(l)) fenced = !fenced;
    else if (!fenced) out.push(l);
  }
  return out;
}

/**
 * Inline code spans of prose (backticks), joined across a line break the way Markdown does (deno fmt wraps long
 * spans). Escaped pipes of tables (`\|`) are unescaped.
 */
export function inlineCode(lines: string[]): string[] {
  const text = proseLines(lines).join("\n");
  const out: string[] = [];
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    out.push(m[1].replace(/\s*\n\s*/g, " ").replaceAll("\\|", "|"));
  }
  return out;
}

/** Cells of a Markdown table row (`| a | b |`), or undefined for a non-row or the separator row. */
export function tableCells(line: string): string[] | undefined {
  const t = line.trim();
  if (!t.startsWith("|") || /^\|[\s|:-]+\|$/.test(t)) return undefined;
  return t.slice(1, t.endsWith("|") ? -1 : undefined).split(/(?<!\\)\|/).map((c) => c.trim());
}
