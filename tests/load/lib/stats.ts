/** Small statistics for the load harness. */

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** (max − min) / median: the spread of repeated measurements, relative. */
export function relSpread(xs: number[]): number {
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}
