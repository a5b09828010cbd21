// One composite score computed by hand from docs/SCORING.md's formulas (issue 16), independent of the code's
// constants: 4 symbols whose raw factor columns are built from orthogonal Hadamard rows, so the Gram–Schmidt
// residuals are known exactly; choppy weights from DOMAIN.md §2 (momentum .27, technical .25, supply-demand .33
// split 55/45 volume/quality, catalyst .15 removed and the rest renormalised); points 50 + 50·tanh(x / scale)
// with the scales in SCORING.md's table (momentum 5 %, technical 0.1, volume 0.5, quality 0.1); social added
// last, capped at +10.
import assert from "node:assert/strict";
import { composite, FACTOR_ORDER } from "../../src/factors/composite.ts";
import { gramSchmidt } from "../../src/factors/gram_schmidt.ts";
import { regimeWeights } from "../../src/regime/weights.ts";

const h1 = [1, 1, 1, 1], h2 = [1, -1, 1, -1], h3 = [1, 1, -1, -1], h4 = [1, -1, -1, 1];
const lin = (...terms: [number, number[]][]) =>
  [0, 1, 2, 3].map((i) => terms.reduce((a, [k, h]) => a + k * h[i], 0));

Deno.test("composite by hand: Gram–Schmidt residuals, choppy weights, tanh points, social capped +10 last", () => {
  const raw = {
    momentum: lin([2, h2]), // [2, -2, 2, -2]
    technical: lin([0.05, h3], [0.01, h2]), // residual after momentum: 0.05·h3
    volume: lin([0.2, h4], [0.1, h3]), // residual after technical: 0.2·h4
    quality: [0, 0, 0, 0], // gap-free bars, no book: zero column (skipped as a basis vector)
    social: lin([12, h1], [3, h2]), // residual 12·h1: 12 social points → capped at 10
  };
  const ortho = gramSchmidt(FACTOR_ORDER.map((f) => ({ name: f, values: Float64Array.from(raw[f]) })));
  const col = (f: string) => ortho.find((c) => c.name === f)!.values;
  const near = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
  [0.05, 0.05, -0.05, -0.05].forEach((x, i) => near(col("technical")[i], x));
  [0.2, -0.2, -0.2, 0.2].forEach((x, i) => near(col("volume")[i], x));
  [12, 12, 12, 12].forEach((x, i) => near(col("social")[i], x));
  assert.deepEqual([...col("momentum")], raw.momentum); // protected: unchanged

  // By hand, symbol 0: momentum 2 %, technical 0.05, volume 0.2, quality 0, social 12.
  const total = 0.27 + 0.25 + 0.33;
  const w = { m: 0.27 / total, t: 0.25 / total, v: (0.55 * 0.33) / total, q: (0.45 * 0.33) / total };
  const pts = (x: number, scale: number) => 50 + 50 * Math.tanh(x / scale);
  const internal = w.m * pts(2, 5) + w.t * pts(0.05, 0.1) + w.v * pts(0.2, 0.5) + w.q * pts(0, 0.1);
  const expected = internal + 10;
  // ≈ 0.31765·68.997 + 0.29412·73.106 + 0.21353·68.997 + 0.17471·50 = 21.917 + 21.502 + 14.733 + 8.735.
  near(internal, 66.887, 5e-4);

  const values = Object.fromEntries(FACTOR_ORDER.map((f) => [f, col(f)[0]])) as Record<
    (typeof FACTOR_ORDER)[number],
    number
  >;
  const got = composite(values, regimeWeights("choppy"));
  near(got.score, expected, 1e-9);
  near(got.contributions.social, 10, 0);
  assert.deepEqual(got.steps.map((s) => s.factor), [
    "momentum",
    "technical",
    "volume",
    "quality",
    "clamp",
    "social",
  ]);
  near(got.steps[4].score, internal, 1e-9); // social comes after the clamp
});
