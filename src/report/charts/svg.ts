/** Small SVG building blocks shared by the charts (pure strings; deterministic number formatting). */

export const FONT = "DejaVu Sans";
export const W = 720;
export const H = 360;
export const M = { top: 40, right: 20, bottom: 40, left: 64 };

/** XML-escapes text. */
export function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A number for SVG coordinates: 2 decimals, no "-0". */
export function n(x: number): string {
  const s = x.toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

export function svgOpen(w: number, h: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
    `font-family="${FONT}" font-size="12" role="img" aria-label="${esc(title)}">` +
    `<rect width="${w}" height="${h}" fill="#ffffff"/>` +
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`;
}

export function text(x: number, y: number, s: string, extra = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${extra ? " " + extra : ""}>${esc(s)}</text>`;
}

/** A linear scale from [d0, d1] to [r0, r1] (a flat domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (x) => r0 + ((x - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

/** A diverging colour for a value in [−max, max]: red below 0, green above, white at 0. */
export function diverging(v: number, max: number): string {
  if (!Number.isFinite(v)) return "#eeeeee";
  const t = Math.max(-1, Math.min(1, max > 0 ? v / max : 0));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * Math.abs(t));
  return t < 0
    ? `rgb(${mix(255, 198)},${mix(255, 40)},${mix(255, 40)})`
    : `rgb(${mix(255, 26)},${mix(255, 150)},${mix(255, 65)})`;
}

export const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
