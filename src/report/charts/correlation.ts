import { diverging, n, svgOpen, text } from "./svg.ts";

/**
 * Correlation matrix heatmap: names on both axes, each cell the Pearson correlation (−1 red … +1 green, "–" and
 * grey where undefined). Wide enough for its title however few the names.
 */
export function correlationChart(
  names: string[],
  matrix: number[][],
  title = "Pairwise correlation of daily returns",
): string {
  const c = Math.max(28, Math.min(60, Math.floor(560 / Math.max(1, names.length))));
  const top = 90;
  const grid = 90 + names.length * c + 20;
  const w = Math.max(grid, Math.ceil(title.length * 9.2) + 40);
  const left = 90 + Math.floor((w - grid) / 2); // the grid centred under a wider title
  const h = top + names.length * c + 20;
  const parts = [svgOpen(w, h, title)];
  names.forEach((s, i) => {
    parts.push(text(left - 6, top + i * c + c / 2 + 4, s, 'text-anchor="end" font-size="10"'));
    const x = left + i * c + c / 2;
    parts.push(
      text(x, top - 6, s, `text-anchor="start" font-size="10" transform="rotate(-45 ${n(x)} ${top - 6})"`),
    );
    names.forEach((_, j) => {
      const v = matrix[i][j];
      parts.push(
        `<rect x="${n(left + j * c)}" y="${n(top + i * c)}" width="${c - 1}" height="${c - 1}" fill="${
          diverging(v, 1)
        }"/>`,
      );
      if (c >= 36) {
        parts.push(
          text(
            left + j * c + c / 2,
            top + i * c + c / 2 + 3,
            Number.isFinite(v) ? v.toFixed(2) : "–",
            'text-anchor="middle" font-size="9"',
          ),
        );
      }
    });
  });
  if (names.length === 0) parts.push(text(w / 2, h / 2, "no data", 'text-anchor="middle"'));
  return parts.join("") + "</svg>";
}
