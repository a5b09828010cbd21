import { esc, H, M, n, scale, svgOpen, text, ticks, utcDate, W } from "./svg.ts";

export interface Line {
  name: string;
  color: string;
  /** y per x (NaN: a gap). */
  ys: number[];
}

/** A time-series line chart (optionally filled down to 0), shared by the equity and underwater charts. */
export function lineChart(
  title: string,
  xs: number[],
  lines: Line[],
  yFmt: (v: number) => string,
  opts: { fillToZero?: boolean } = {},
): string {
  const all = lines.flatMap((l) => l.ys).filter(Number.isFinite);
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (opts.fillToZero) hi = Math.max(hi, 0);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const x = scale(xs[0] ?? 0, xs[xs.length - 1] ?? 1, M.left, W - M.right);
  const y = scale(lo, hi, H - M.bottom, M.top);
  const parts = [svgOpen(W, H, title)];
  for (const t of ticks(lo, hi)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="#dddddd"/>`);
    parts.push(text(M.left - 6, y(t) + 4, yFmt(t), 'text-anchor="end"'));
  }
  const xt = xs.length > 1 ? [0, 0.25, 0.5, 0.75, 1].map((f) => xs[Math.round(f * (xs.length - 1))]) : xs;
  xt.forEach((t, i) => {
    const anchor = i === 0 ? "start" : i === xt.length - 1 ? "end" : "middle";
    parts.push(text(x(t), H - M.bottom + 16, utcDate(t), `text-anchor="${anchor}"`));
  });
  parts.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333333"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333333"/>`,
  );
  lines.forEach((l, k) => {
    const segs: string[] = [];
    let pen = "M";
    l.ys.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = "M";
        return;
      }
      segs.push(`${pen}${n(x(xs[i]))},${n(y(v))}`);
      pen = "L";
    });
    if (opts.fillToZero && segs.length) {
      const first = l.ys.findIndex(Number.isFinite);
      const last = l.ys.length - 1 - [...l.ys].reverse().findIndex(Number.isFinite);
      parts.push(
        `<path d="${segs.join(" ")} L${n(x(xs[last]))},${n(y(0))} L${n(x(xs[first]))},${
          n(y(0))
        } Z" fill="${l.color}" fill-opacity="0.35" stroke="none"/>`,
      );
    }
    parts.push(`<path d="${segs.join(" ")}" fill="none" stroke="${l.color}" stroke-width="1.6"/>`);
    const lx = M.left + 10 + k * 200;
    parts.push(`<rect x="${lx}" y="${M.top - 6}" width="14" height="4" fill="${l.color}"/>`);
    parts.push(text(lx + 18, M.top - 1, l.name));
  });
  if (xs.length === 0) parts.push(text(W / 2, H / 2, "no data", 'text-anchor="middle"'));
  parts.push("</svg>");
  return parts.join("") + `<!-- ${esc(title)} -->`;
}
