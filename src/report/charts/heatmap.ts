import { diverging, esc, n, svgOpen, text } from "./svg.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Compounded monthly returns: per UTC (year, month), Π(1 + rᵢ) − 1 over its periods (NaN counted as 0). */
export function monthlyReturns(days: number[], returns: number[]): Map<string, number> {
  const out = new Map<string, number>();
  days.forEach((d, i) => {
    const t = new Date(d);
    const k = `${t.getUTCFullYear()}-${t.getUTCMonth()}`;
    const r = Number.isNaN(returns[i]) ? 0 : returns[i];
    out.set(k, ((out.get(k) ?? 0) + 1) * (1 + r) - 1);
  });
  return out;
}

/** Monthly returns heatmap: a row per year, a column per month, red for losses and green for gains. */
export function monthlyHeatmap(days: number[], returns: number[]): string {
  const m = monthlyReturns(days, returns);
  const years = [...new Set([...m.keys()].map((k) => Number(k.split("-")[0])))].sort();
  const cw = 52, ch = 30, left = 60, top = 50;
  const w = left + 12 * cw + 20;
  const h = top + Math.max(1, years.length) * ch + 20;
  const max = Math.max(0.01, ...[...m.values()].map(Math.abs));
  const parts = [svgOpen(w, h, "Monthly returns")];
  MONTHS.forEach((name, j) =>
    parts.push(text(left + j * cw + cw / 2, top - 8, name, 'text-anchor="middle"'))
  );
  years.forEach((y, i) => {
    parts.push(text(left - 8, top + i * ch + ch / 2 + 4, String(y), 'text-anchor="end"'));
    for (let j = 0; j < 12; j++) {
      const v = m.get(`${y}-${j}`);
      const x = left + j * cw, yy = top + i * ch;
      parts.push(
        `<rect x="${n(x)}" y="${n(yy)}" width="${cw - 2}" height="${ch - 2}" fill="${
          v === undefined ? "#f4f4f4" : diverging(v, max)
        }"/>`,
      );
      if (v !== undefined) {
        parts.push(
          text(
            x + cw / 2 - 1,
            yy + ch / 2 + 3,
            `${(v * 100).toFixed(1)}%`,
            'text-anchor="middle" font-size="10"',
          ),
        );
      }
    }
  });
  if (years.length === 0) parts.push(text(w / 2, h / 2, "no data", 'text-anchor="middle"'));
  return parts.join("") + `</svg><!-- ${esc("monthly")} -->`;
}
