import assert from "node:assert/strict";
import { portfolioCharts } from "../../../src/report/charts/portfolio.ts";
import { svgToPng } from "../../../src/report/png.ts";
import type { Holding, Portfolio } from "../../../src/report/portfolio.ts";
import { portfolioHtml, portfolioJson, portfolioMarkdown } from "../../../src/report/portfolio_render.ts";
import { assertWellFormedSvg, svgTexts } from "../../helpers/svg.ts";

/** A holding with the fields the charts read; the rest plausible. */
function holding(symbol: string, sector: string, weight: number, beta: number, status = "open"): Holding {
  return {
    symbol,
    venue: "kraken",
    sector,
    qty: 1,
    entry_ts: "2022-05-10T00:00:00.000Z",
    entry_price: 100,
    mark: 100,
    pnl: 0,
    hold_until: "2022-05-11T00:00:00.000Z",
    status,
    beta_vs_btc: beta,
    weight,
  };
}

// Three open holdings (one in a sector the config map does not know), one closed; a NaN correlation and beta.
const pf: Portfolio = {
  as_of: "2022-05-10T12:00:00.000Z",
  holdings: [
    holding("BTC/USD", "currency", 0.5, 1),
    holding("ETH/USD", "smart contracts", 0.3, 1.2),
    holding("ZZZ/USD", "unclassified", 0.2, NaN),
    holding("LTC/USD", "currency", 0, 0.9, "closed: stop"),
  ],
  correlation: {
    names: ["BTC/USD", "ETH/USD", "ZZZ/USD"],
    matrix: [[1, 0.8123, NaN], [0.8123, 1, -0.25], [NaN, -0.25, 1]],
  },
  beta_days: 30,
};
const corrCells = (svg: string) => svgTexts(svg, /font-size="9"/);

Deno.test("portfolio charts: correlation, sectors, weights, beta — prefixed, well-formed, pure", () => {
  const a = portfolioCharts(pf);
  assert.deepEqual(a.charts.map((c) => c.name), [
    "portfolio_correlation",
    "portfolio_sectors",
    "portfolio_weights",
    "portfolio_beta",
  ]);
  assert.deepEqual(a.omitted, []);
  assert.deepEqual(portfolioCharts(pf), a, "same input, same bytes");
  for (const c of a.charts) assertWellFormedSvg(c.svg, c.name);
});

Deno.test("portfolio charts show the report's own numbers: correlation cells = the table's, sector and weight shares", () => {
  const [corr, sectors, weights, beta] = portfolioCharts(pf).charts.map((c) => c.svg);
  // Correlation: row-major cells equal the Markdown table's cells (2 decimals; "–" where undefined).
  const md = portfolioMarkdown({ ...pf, alerts: [], notes: [] });
  const table = md.split("## Correlation of the open holdings")[1].split("\n").filter((l) =>
    /^\| [A-Z]/.test(l)
  );
  const fromTable = table.map((l) => l.split("|").slice(2, -1).map((c) => c.trim())).flat();
  assert.deepEqual(corrCells(corr), fromTable);
  assert.deepEqual(corrCells(corr), ["1.00", "0.81", "–", "0.81", "1.00", "-0.25", "–", "-0.25", "1.00"]);
  // Sector pie: open holdings only (the closed LTC has weight 0), the unknown sector labelled as such.
  assert.deepEqual(svgTexts(sectors, /^ x="360/), [
    "currency — 50.0%",
    "smart contracts — 30.0%",
    "unclassified — 20.0%",
  ]);
  // Weights bar: each open holding's weight, largest first; the closed one is not drawn.
  assert.deepEqual(svgTexts(weights, /^ x="[\d.]+" y="[\d.]+" font-size="10"$/), ["50.0%", "30.0%", "20.0%"]);
  assert.deepEqual(svgTexts(weights, /text-anchor="end"/), ["BTC/USD", "ETH/USD", "ZZZ/USD"]);
  // Beta: the holdings' betas, an undefined one shown as "–" without a bar.
  assert.deepEqual(svgTexts(beta, /^ x="[\d.]+" y="[\d.]+" font-size="10"$/), ["1.00", "1.20", "–"]);
  assert.equal((beta.match(/<rect [^>]*fill="#2e9e44"/g) ?? []).length, 2);
  assert.ok(svgTexts(beta).includes("β = 1"));
});

Deno.test("portfolio charts: no open holding, or one, or no defined correlation → omitted with the reason, never a broken chart", () => {
  const one: Portfolio = {
    ...pf,
    holdings: [holding("BTC/USD", "currency", 1, 1)],
    correlation: { names: ["BTC/USD"], matrix: [[1]] },
  };
  const r1 = portfolioCharts(one);
  assert.deepEqual(r1.charts.map((c) => c.name), [
    "portfolio_sectors",
    "portfolio_weights",
    "portfolio_beta",
  ]);
  assert.deepEqual(r1.omitted.map((o) => [o.name, o.reason]), [
    ["portfolio_correlation", "one open holding (BTC/USD): no pair to correlate"],
  ]);
  for (const c of r1.charts) assertWellFormedSvg(c.svg, c.name);

  const none: Portfolio = {
    ...pf,
    holdings: [holding("LTC/USD", "currency", 0, 0.9, "closed: hold")],
    correlation: { names: [], matrix: [] },
  };
  const r0 = portfolioCharts(none);
  assert.deepEqual(r0.charts, []);
  assert.deepEqual(r0.omitted.map((o) => o.name), [
    "portfolio_correlation",
    "portfolio_sectors",
    "portfolio_weights",
    "portfolio_beta",
  ]);
  for (const o of r0.omitted) assert.equal(o.reason, "no open holding as of 2022-05-10T12:00:00.000Z");

  const undefinedOnly: Portfolio = {
    ...pf,
    holdings: [holding("A/USD", "x", 0.5, NaN), holding("B/USD", "x", 0.5, NaN)],
    correlation: { names: ["A/USD", "B/USD"], matrix: [[1, NaN], [NaN, 1]] },
  };
  const rn = portfolioCharts(undefinedOnly);
  assert.deepEqual(rn.omitted.map((o) => o.name), ["portfolio_correlation", "portfolio_beta"]);
  assert.match(rn.omitted[0].reason, /no pair has a defined correlation/);
  assert.match(rn.omitted[1].reason, /no open holding has a beta/);

  // The reasons reach every format.
  const doc = {
    ...one,
    alerts: [],
    notes: [],
    charts: {
      dir: "c",
      drawn: r1.charts.map((c) => ({ name: c.name, title: c.title })),
      omitted: r1.omitted,
    },
  };
  assert.match(portfolioMarkdown(doc, "c"), /Correlation of the open holdings: not drawn — one open holding/);
  assert.match(portfolioMarkdown(doc, "c"), /!\[Open holdings by sector\]\(c\/portfolio_sectors\.png\)/);
  assert.doesNotMatch(portfolioMarkdown(doc, "c"), /portfolio_correlation\.png/);
  assert.match(portfolioHtml(doc, r1.charts), /not drawn — one open holding \(BTC\/USD\)/);
  assert.equal((portfolioHtml(doc, r1.charts).match(/<svg /g) ?? []).length, 3);
  const j = portfolioJson(doc) as { charts: { files: { svg: string; png: string }[]; omitted: unknown[] } };
  assert.deepEqual(j.charts.files.map((f) => f.png), [
    "c/portfolio_sectors.png",
    "c/portfolio_weights.png",
    "c/portfolio_beta.png",
  ]);
  assert.equal(j.charts.omitted.length, 1);
});

Deno.test("portfolio chart PNGs: valid, and the text is drawn (removing it changes the pixels)", async () => {
  for (const c of portfolioCharts(pf).charts) {
    const png = await svgToPng(c.svg);
    assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], c.name);
    const noText = await svgToPng(c.svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""));
    assert.notDeepEqual(png, noText, `${c.name}: no glyph was drawn`);
    assert.ok(png.length > noText.length, `${c.name}: glyphs add detail to the PNG`);
  }
});

Deno.test("the well-formedness check can fail: it names unclosed, misnested, NaN and bare-& documents", () => {
  const ns = 'xmlns="http://www.w3.org/2000/svg"';
  assertWellFormedSvg(`<svg ${ns} width="1"><g><text x="1">a &amp; b</text></g><rect/></svg>`);
  for (
    const [bad, re] of [
      [`<svg ${ns}><g></svg>`, /closes the wrong element/],
      [`<svg ${ns}><g>`, /unclosed svg, g/],
      [`<svg ${ns}><rect x="NaN"/></svg>`, /NaN/],
      [`<svg ${ns}><text>a & b</text></svg>`, /bare &/],
      [`<svg ${ns}><rect x=1/></svg>`, /malformed markup/],
      [`<svg ${ns}></svg><svg ${ns}></svg>`, /one root/],
    ] as [string, RegExp][]
  ) assert.throws(() => assertWellFormedSvg(bad), re, bad);
});
