import assert from "node:assert/strict";
import { correlationMatrix, reportCharts } from "../../../src/report/charts/mod.ts";
import { monthlyReturns } from "../../../src/report/charts/heatmap.ts";
import { returnsReport } from "../../../src/report/performance.ts";
import { svgToPng } from "../../../src/report/png.ts";

const DAY = 86_400_000;
const days = Array.from({ length: 90 }, (_, i) => Date.UTC(2022, 0, 1) + i * DAY);
const rets = days.map((_, i) => Math.sin(i / 5) / 50);

Deno.test("charts are pure: the same input gives byte-identical SVG, well-formed, with titles and labels", () => {
  const r = returnsReport(days, rets, 365, 0, {});
  const a = reportCharts(r, { benchmark: "BTC/USD" });
  const b = reportCharts(r, { benchmark: "BTC/USD" });
  assert.deepEqual(a, b);
  assert.deepEqual(a.map((c) => c.name), ["equity", "underwater", "monthly"]);
  for (const c of a) {
    assert.match(c.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((c.svg.match(/<svg/g) ?? []).length, (c.svg.match(/<\/svg>/g) ?? []).length);
    assert.doesNotMatch(c.svg, /NaN|undefined|Infinity/);
  }
  assert.match(a[0].svg, /BTC\/USD buy-and-hold/);
  assert.match(a[2].svg, />Jan<.*>Mar</s);
});

Deno.test("monthly returns compound their days; the correlation matrix is symmetric with a unit diagonal", () => {
  const m = monthlyReturns([Date.UTC(2022, 0, 1), Date.UTC(2022, 0, 2), Date.UTC(2022, 1, 1)], [
    0.1,
    -0.1,
    0.05,
  ]);
  assert.ok(Math.abs(m.get("2022-0")! - (1.1 * 0.9 - 1)) < 1e-12);
  assert.ok(Math.abs(m.get("2022-1")! - 0.05) < 1e-12);
  const c = correlationMatrix([[1, 2, 3, 4], [2, 4, 6, 8.5], [4, 3, 2, 1]]);
  for (let i = 0; i < 3; i++) {
    assert.equal(c[i][i], 1);
    for (let j = 0; j < 3; j++) assert.equal(c[i][j], c[j][i]);
  }
  assert.ok(Math.abs(c[0][2] - -1) < 1e-12);
});

Deno.test("PNG through resvg with the DejaVu fonts: a valid PNG, and the text is drawn (removing it changes pixels)", async () => {
  const r = returnsReport(days, rets, 365, 0, {});
  const svg = reportCharts(r, { benchmark: "BTC/USD" })[0].svg;
  const png = await svgToPng(svg);
  assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const noText = await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""));
  assert.notDeepEqual(png, noText, "the PNG with text equals one without: no glyph was drawn");
  assert.ok(png.length > noText.length, "glyphs add detail to the PNG");
  assert.deepEqual(await svgToPng(svg), png, "deterministic");
});
