import { n, svgOpen, text } from "./svg.ts";

const COLORS = [
  "#1f5fbf",
  "#e08a00",
  "#2e9e44",
  "#c62828",
  "#7b4fb0",
  "#8c564b",
  "#d45fa6",
  "#7f7f7f",
  "#b5b82c",
  "#17becf",
];

/** Sector pie: each sector's share of the total weight (e.g. stake traded), largest first, with a legend. */
export function sectorPie(slices: { name: string; weight: number }[], title = "Exposure by sector"): string {
  const s = slices.filter((x) => x.weight > 0).sort((a, b) =>
    b.weight - a.weight || (a.name < b.name ? -1 : 1)
  );
  const total = s.reduce((a, x) => a + x.weight, 0);
  const w = 620, h = 360, cx = 180, cy = 200, r = 130;
  const parts = [svgOpen(w, h, title)];
  let a0 = -Math.PI / 2;
  s.forEach((x, i) => {
    const frac = x.weight / total;
    const col = COLORS[i % COLORS.length];
    if (frac >= 0.999999) {
      parts.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${col}"/>`);
    } else {
      const a1 = a0 + frac * 2 * Math.PI;
      const large = a1 - a0 > Math.PI ? 1 : 0;
      parts.push(
        `<path d="M${cx},${cy} L${n(cx + r * Math.cos(a0))},${
          n(cy + r * Math.sin(a0))
        } A${r},${r} 0 ${large} 1 ${n(cx + r * Math.cos(a1))},${
          n(cy + r * Math.sin(a1))
        } Z" fill="${col}" stroke="#ffffff"/>`,
      );
      a0 = a1;
    }
    const ly = 70 + i * 22;
    parts.push(`<rect x="340" y="${ly - 11}" width="14" height="14" fill="${col}"/>`);
    parts.push(text(360, ly, `${x.name} — ${(frac * 100).toFixed(1)}%`));
  });
  if (s.length === 0) parts.push(text(w / 2, h / 2, "no positions", 'text-anchor="middle"'));
  return parts.join("") + "</svg>";
}
