import assert from "node:assert/strict";
import CRC32 from "crc-32";
import {
  applySnapshot,
  applyUpdate,
  bookChecksum,
  computeChecksum,
  isCrossed,
  type LevelChange,
  newBook,
} from "../../../src/providers/kraken/book.ts";
import { levelToken } from "../../../src/providers/kraken/checksum.ts";
import { rng } from "./fixtures.ts";

type Ref = Map<number, [string, string]>;

/** The reference: a map keyed by Number(price), sorted and cut to depth after each message. */
function refApply(ref: Ref, changes: LevelChange[], asc: boolean, depth: number): void {
  for (const c of changes) {
    const p = Number(c.priceText);
    if (Number(c.qtyText) === 0) ref.delete(p);
    else ref.set(p, [c.priceText, c.qtyText]);
  }
  const keep = [...ref.keys()].sort((a, b) => asc ? a - b : b - a).slice(0, depth);
  for (const k of [...ref.keys()]) if (!keep.includes(k)) ref.delete(k);
}

function refSide(ref: Ref, asc: boolean): Array<[number, string, string]> {
  return [...ref].sort((a, b) => asc ? a[0] - b[0] : b[0] - a[0]).map(([p, [pt, qt]]) => [p, pt, qt]);
}

/**
 * Price text for a price in ticks of 0.01, written in different ways: trailing zeros, leading zeros, long
 * digits (> 15, the `Number()` fallback) and exponent form (`Number()` accepts it, so the book does).
 */
function priceText(ticks: number, r: () => number): string {
  const v = (ticks / 100).toFixed(2);
  const k = r();
  if (k < 0.1) return v + "000";
  if (k < 0.15) return "00" + v;
  if (k < 0.2) return (ticks / 100).toFixed(14); // 16+ digits
  if (k < 0.22) return `${ticks}e-2`;
  return v;
}

function qtyText(r: () => number): string {
  const k = r();
  if (k < 0.3) return r() < 0.5 ? "0.00000000" : "0";
  return (r() * 50).toFixed(Math.floor(r() * 9));
}

for (const depth of [3, 10, 25]) {
  Deno.test(`book (depth ${depth}): random updates match a reference model; cached CRC = CRC of the text`, () => {
    const r = rng(1000 + depth);
    const book = newBook(depth);
    const asks: Ref = new Map();
    const bids: Ref = new Map();
    const snapA: LevelChange[] = [];
    const snapB: LevelChange[] = [];
    for (let i = 0; i < 2 * depth; i++) {
      snapA.push({ priceText: priceText(10_001 + Math.floor(r() * 300), r), qtyText: "1.5" });
      snapB.push({ priceText: priceText(9_999 - Math.floor(r() * 300), r), qtyText: "2.25" });
    }
    applySnapshot(book, snapA, snapB);
    refApply(asks, snapA, true, depth);
    refApply(bids, snapB, false, depth);
    let compared = 0;
    for (let u = 0; u < 3000; u++) {
      const ua: LevelChange[] = [];
      const ub: LevelChange[] = [];
      const n = 1 + Math.floor(r() * 4);
      for (let k = 0; k < n; k++) {
        const near = r() < 0.7 ? 20 : 300;
        if (r() < 0.5) {
          ua.push({ priceText: priceText(10_001 + Math.floor(r() * near), r), qtyText: qtyText(r) });
        } else ub.push({ priceText: priceText(9_999 - Math.floor(r() * near), r), qtyText: qtyText(r) });
      }
      applyUpdate(book, ua, ub);
      refApply(asks, ua, true, depth);
      refApply(bids, ub, false, depth);
      assert.ok(!isCrossed(book));
      const ra = refSide(asks, true);
      const rb = refSide(bids, false);
      assert.deepEqual(book.asks.map((l) => [l.price, l.priceText, l.qtyText]), ra, `update ${u}`);
      assert.deepEqual(book.bids.map((l) => [l.price, l.priceText, l.qtyText]), rb, `update ${u}`);
      assert.deepEqual(book.asks.map((l) => l.qty), ra.map(([, , q]) => Number(q)));
      const text = [...ra.slice(0, 10), ...rb.slice(0, 10)].map(([, p, q]) => levelToken(p, q)).join("");
      const want = CRC32.str(text) >>> 0;
      assert.equal(bookChecksum(book), want, `update ${u}`);
      assert.equal(computeChecksum(book), want);
      compared++;
    }
    assert.equal(compared, 3000);
  });
}

Deno.test("book: a price or qty that is not a number is a RangeError naming the field and the text", () => {
  const book = newBook(10);
  assert.throws(() => applyUpdate(book, [{ priceText: "abc", qtyText: "1" }], []), /price: .*abc/);
  assert.throws(() => applyUpdate(book, [{ priceText: "0", qtyText: "1" }], []), /price: .*0/);
  assert.throws(() => applyUpdate(book, [], [{ priceText: "1.5", qtyText: "-1" }]), /qty: .*-1/);
  assert.throws(() => applyUpdate(book, [], [{ priceText: "1.5", qtyText: "1..0" }]), /qty: .*1\.\.0/);
  applyUpdate(book, [{ priceText: "2.0", qtyText: "1" }], [{ priceText: "1e0", qtyText: " 3 " }]);
  assert.deepEqual(book.bids.map((l) => [l.price, l.qty]), [[1, 3]]); // Number() semantics kept
});
