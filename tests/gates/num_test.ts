import assert from "node:assert/strict";
import { num } from "../../src/gates/types.ts";
import * as ref from "../factors/reference.ts";
import { rng } from "../factors/synthetic.ts";

Deno.test("num prints exactly what the toFixed/toString formula printed, every branch and digit count", () => {
  const r = rng(3);
  const xs = [
    0,
    -0,
    0.5,
    -0.5,
    0.005,
    0.0049999,
    1.005,
    2.675,
    1e4,
    9999.995,
    9999.9951,
    999999.9995,
    1e9,
    1e12,
    1e21,
    -1e4,
    0.00005,
    0.00004999,
    123456789.123,
    5e-324,
    Number.MAX_VALUE,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (let i = 0; i < 100_000; i++) {
    const mag = 10 ** (Math.floor(r() * 26) - 8);
    xs.push(
      (r() - 0.3) * mag,
      Math.round(r() * 1e6) / 10 ** Math.floor(r() * 7),
      Math.round(r() * 2e4 - 1e4) / 1e3,
    );
  }
  for (const x of xs) {
    for (const d of [0, 1, 2, 3, 4, 5]) assert.equal(num(x, d), ref.num(x, d), `num(${x}, ${d})`);
  }
  assert.equal(num(61.234), "61.23");
  assert.equal(num(-0.004), "0");
  assert.equal(num(1_234_567), "1.235M");
  assert.equal(num(99_999.4), "99.999k");
});
