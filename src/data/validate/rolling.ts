/**
 * A trailing window of the last `size` values with its median and median absolute deviation (pure). Kept
 * sorted: push is O(size) (binary search + copyWithin), median O(1), MAD O(size/2) by merging the two sorted runs
 * of distances around the median.
 */
export class RollingWindow {
  /** Values in arrival order (ring). */
  private ring: Float64Array;
  private head = 0;
  private count = 0;
  /** The same values, sorted (the first `count`). */
  private sorted: Float64Array;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(v: number): void {
    const a = this.sorted;
    let n = this.count;
    if (n === this.size) {
      const at = lowerBound(a, this.ring[this.head], n);
      a.copyWithin(at, at + 1, n);
      n--;
    }
    const at = lowerBound(a, v, n);
    a.copyWithin(at + 1, at, n);
    a[at] = v;
    this.count = n + 1;
    this.ring[this.head] = v;
    this.head = (this.head + 1) % this.size;
  }

  median(): number {
    return medianOfSorted(this.sorted, this.count);
  }

  /** Median absolute deviation from `med` (the window's median). */
  mad(med: number): number {
    return madOfSorted(this.sorted, med, this.count);
  }
}

/** First index i < n with a[i] >= v (n: how many of `a` are in use, default all). */
export function lowerBound(a: ArrayLike<number>, v: number, n = a.length): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function medianOfSorted(a: ArrayLike<number>, n = a.length): number {
  if (n === 0) return NaN;
  const m = n >>> 1;
  return n % 2 === 1 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * The median of |a[i] − med| for sorted `a`: the distances left of the split descend, right of it ascend —
 * merging the two runs yields them in order without sorting.
 */
export function madOfSorted(a: ArrayLike<number>, med: number, n = a.length): number {
  if (n === 0) return NaN;
  let l = lowerBound(a, med, n) - 1;
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
