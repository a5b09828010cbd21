import { n, scale, svgOpen, text, ticks } from "./svg.ts";

export interface Bar {
  label: string;
  /** The bar's value (NaN: no bar, the value shown as "–"). */
  value: number;
}

/**
 * A horizontal bar chart, one labelled bar per row in the given order, drawn from 0 (negative values to the
 * left); each bar's value is printed next to it with `fmt`. `ref` draws a dashed reference line (e.g. β = 1).
 */
export function barChart(
  title: string,
  rows: Bar[],
  fmt: (v: number) => string,
  opts: { color?: string; negColor?: string; ref?: { value: number; label: string } } = {},
): string {
  const rowH = 24, top = 50, left = 110, right = 90, bottom = 36, w = 720;
  const h = top + Math.max(1, rows.length) * rowH + bottom;
  const vals = rows.map((r) => r.value).filter(Number.isFinite);
  if (opts.ref) vals.push(opts.ref.value);
  let lo = Math.min(0, ...vals);
  let hi = Math.max(0, ...vals);
  if (hi === lo) [lo, hi] = [0, 1];
  const x = scale(lo, hi, left, w - right);
  const parts = [svgOpen(w, h, title)];
  const axisY = top + rows.length * rowH;
  for (const t of ticks(lo, hi)) {
    parts.push(`<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${top - 4}" y2="${axisY}" stroke="#e4e4e4"/>`);
    parts.push(text(x(t), axisY + 16, fmt(t), 'text-anchor="middle" font-size="10"'));
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(text(left - 8, y + rowH / 2 + 4, r.label, 'text-anchor="end"'));
    if (Number.isFinite(r.value)) {
      const x0 = x(Math.min(0, r.value)), x1 = x(Math.max(0, r.value));
      const col = r.value < 0 ? (opts.negColor ?? "#c62828") : (opts.color ?? "#1f5fbf");
      parts.push(
        `<rect x="${n(x0)}" y="${n(y + 4)}" width="${n(Math.max(0.5, x1 - x0))}" height="${
          rowH - 8
        }" fill="${col}"/>`,
      );
      parts.push(text(x1 + 4, y + rowH / 2 + 4, fmt(r.value), 'font-size="10"'));
    } else {
      parts.push(text(x(0) + 4, y + rowH / 2 + 4, "–", 'font-size="10"'));
    }
  });
  parts.push(`<line x1="${n(x(0))}" x2="${n(x(0))}" y1="${top - 4}" y2="${axisY}" stroke="#333333"/>`);
  if (opts.ref) {
    const rx = x(opts.ref.value);
    parts.push(
      `<line x1="${n(rx)}" x2="${n(rx)}" y1="${
        top - 4
      }" y2="${axisY}" stroke="#e08a00" stroke-dasharray="4 3"/>`,
      text(rx, top - 8, opts.ref.label, 'text-anchor="middle" font-size="10" fill="#a05f00"'),
    );
  }
  if (rows.length === 0) parts.push(text(w / 2, top + rowH / 2 + 4, "no data", 'text-anchor="middle"'));
  return parts.join("") + "</svg>";
}
