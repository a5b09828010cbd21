/**
 * A trailing window of the last `size` values with its median and median absolute deviation (pure). Kept
 * sorted: push is O(size) (binary search + splice), median O(1), MAD O(size/2) by merging the two sorted runs
 * of distances around the median.
 */
export class RollingWindow {
  /** Values in arrival order (ring). */
  private ring: Float64Array;
  private head = 0;
  private count = 0;
  /** The same values, sorted. */
  private sorted: number[] = [];

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(v: number): void {
    if (this.count === this.size) {
      const old = this.ring[this.head];
      this.sorted.splice(lowerBound(this.sorted, old), 1);
    } else this.count++;
    this.ring[this.head] = v;
    this.head = (this.head + 1) % this.size;
    this.sorted.splice(lowerBound(this.sorted, v), 0, v);
  }

  median(): number {
    return medianOfSorted(this.sorted);
  }

  /** Median absolute deviation from `med` (the window's median). */
  mad(med: number): number {
    return madOfSorted(this.sorted, med);
  }

  /** Mean absolute deviation from `med` (the fallback scale when MAD is 0). */
  meanAbsDev(med: number): number {
    let s = 0;
    for (const v of this.sorted) s += Math.abs(v - med);
    return this.sorted.length === 0 ? 0 : s / this.sorted.length;
  }
}

/** First index i with a[i] >= v. */
export function lowerBound(a: readonly number[], v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function medianOfSorted(a: readonly number[]): number {
  const n = a.length;
  if (n === 0) return NaN;
  const m = n >>> 1;
  return n % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * The median of |a[i] − med| for sorted `a`: the distances left of the split descend, right of it ascend —
 * merging the two runs yields them in order without sorting.
 */
export function madOfSorted(a: readonly number[], med: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  let l = lowerBound(a, med) - 1;
  let r = l + 1;
  const k = n >>> 1; // the k-th smallest (0-based); even n also needs the (k-1)-th
  let prev = NaN;
  for (let i = 0; i <= k; i++) {
    let d: number;
    if (l < 0) d = a[r++] - med;
    else if (r >= n) d = med - a[l--];
    else if (med - a[l] <= a[r] - med) d = med - a[l--];
    else d = a[r++] - med;
    if (i === k) return n % 2 === 1 ? d : (prev + d) / 2;
    prev = d;
  }
  return NaN;
}
