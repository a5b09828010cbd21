/** What a load target reports: a table for people, figures for the regression gate (artifacts/baselines). */

export interface Figure {
  value: number;
  kind: "quality" | "ratio";
  unit: string;
  better: "higher" | "lower";
  /** For a ratio: what it is measured against, in the same run. */
  reference?: string;
  /** The spread of the repeated measurements behind it, relative ((max − min) / median), when repeated. */
  spread?: number;
}

export interface TargetResult {
  target: string;
  /** One line on what was measured and how. */
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  figures: Record<string, Figure>;
  notes?: string[];
}

export interface TargetOptions {
  /** The short CI sample (bounded, part of the ≤ 60 s budget) instead of the full run. */
  sample: boolean;
  /** Deliberate slowdowns for demonstrating the gate (`envelope_us=N`: µs of busy work per envelope). */
  inject: Record<string, number>;
  /** Scratch directory for this run (removed afterwards). */
  dir: string;
  log: (line: string) => void;
}

export type Target = (o: TargetOptions) => Promise<TargetResult>;

export const fmt = (n: number, digits = 2): string =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits }) : String(n);
