import assert from "node:assert/strict";
import { dot, gramSchmidt } from "../../src/factors/gram_schmidt.ts";
import { rng } from "./synthetic.ts";

function column(name: string, n: number, f: (i: number) => number) {
  return { name, values: Float64Array.from({ length: n }, (_, i) => f(i)) };
}

// Tolerance: |u·v| ≤ 1e-9 · |u|·|v| (relative to the vectors' norms; doubles carry ~1e-16 per operation).
const TOL = 1e-9;

Deno.test("Gram–Schmidt: every residual is orthogonal to every earlier factor (|cos| ≤ 1e-9)", () => {
  const r = rng(42);
  const n = 150;
  const mom = column("momentum", n, () => r() * 10 - 3);
  // Later factors deliberately correlated with momentum and each other.
  const tech = column("technical", n, (i) => 0.8 * mom.values[i] + r());
  const vol = column("volume", n, (i) => 0.5 * mom.values[i] - 0.3 * tech.values[i] + r());
  const qual = column("quality", n, (i) => tech.values[i] + vol.values[i] + 0.1 * r());
  const soc = column("social", n, (i) => 100 * mom.values[i] + 5 * r());
  const out = gramSchmidt([mom, tech, vol, qual, soc]);
  assert.deepEqual(out.map((c) => c.name), ["momentum", "technical", "volume", "quality", "social"]);
  // Before: strongly correlated (the test would be vacuous otherwise).
  const cos = (a: Float64Array, b: Float64Array) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
  assert.ok(Math.abs(cos(mom.values, soc.values)) > 0.9);
  for (let k = 1; k < out.length; k++) {
    for (let j = 0; j < k; j++) {
      const c = cos(out[k].values, out[j].values);
      assert.ok(Math.abs(c) <= TOL, `${out[k].name}·${out[j].name} cos = ${c}`);
    }
    // Also orthogonal to the RAW momentum input.
    assert.ok(Math.abs(cos(out[k].values, mom.values)) <= TOL);
  }
});

Deno.test("Gram–Schmidt: MomentumCore is protected — bit-identical, first, never modified", () => {
  const r = rng(7);
  const mom = column("momentum", 40, () => r() - 0.5);
  const before = Float64Array.from(mom.values);
  const other = column("volume", 40, () => r());
  const out = gramSchmidt([mom, other]);
  assert.equal(out[0].name, "momentum");
  for (let i = 0; i < 40; i++) assert.ok(Object.is(out[0].values[i], before[i]), `value ${i}`);
  // The input arrays are not mutated either.
  for (let i = 0; i < 40; i++) assert.ok(Object.is(mom.values[i], before[i]));
  // A later factor that IS momentum (scaled) leaves no residual.
  const dup = gramSchmidt([mom, column("technical", 40, (i) => 3 * before[i])]);
  for (const v of dup[1].values) assert.ok(Math.abs(v) < 1e-12);
});

Deno.test("Gram–Schmidt: a zero-norm basis vector is skipped, not divided by", () => {
  const out = gramSchmidt([
    column("momentum", 3, (i) => [1, 2, 3][i]),
    column("technical", 3, () => 0),
    column("volume", 3, (i) => [3, 1, 2][i]),
  ]);
  assert.deepEqual([...out[1].values], [0, 0, 0]);
  for (const v of out[2].values) assert.ok(Number.isFinite(v));
  assert.ok(Math.abs(dot(out[2].values, out[0].values)) < 1e-12);
});

Deno.test("Gram–Schmidt: non-finite inputs and ragged columns are refused, naming the column", () => {
  assert.throws(
    () => gramSchmidt([column("momentum", 2, () => 1), column("volume", 2, (i) => (i ? NaN : 1))]),
    /column volume value 1 is NaN/,
  );
  assert.throws(
    () => gramSchmidt([column("momentum", 2, () => 1), column("quality", 3, () => 1)]),
    /quality has 3/,
  );
});
