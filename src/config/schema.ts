import { z } from "zod";
import { AppSection } from "./sections/app.ts";
import { PersistenceSection } from "./sections/persistence.ts";
import { StreamSection } from "./sections/stream.ts";
import { MetricsSection } from "./sections/metrics.ts";
import { HealthSection } from "./sections/health.ts";
import { ScanSection } from "./sections/scan.ts";
import { RegimeSection } from "./sections/regime.ts";
import { GatesSection } from "./sections/gates.ts";
import { ColdSection } from "./sections/cold.ts";
import { KrakenSection } from "./sections/kraken.ts";
import { TiersSection } from "./sections/tiers.ts";
import { ValidateSection } from "./sections/validate.ts";
import { RegionsSection } from "./sections/regions.ts";
import { DefiSection } from "./sections/defi.ts";
import { DerivsSection } from "./sections/derivs.ts";
import { ReportSection } from "./sections/report.ts";

/**
 * The two configuration files. Each top-level key is a *section*; section names are unique across both
 * files, which is what makes the `CRYPTORUN_<SECTION>_<KEY>` environment override rule unambiguous.
 * Adding a section: write `sections/<name>.ts` (a z.strictObject with defaults) and list it here.
 */
export const MainFileSections = {
  app: AppSection,
  persistence: PersistenceSection,
  stream: StreamSection,
  metrics: MetricsSection,
  health: HealthSection,
  scan: ScanSection,
  regime: RegimeSection,
  gates: GatesSection,
  report: ReportSection,
} as const;

export const SourcesFileSections = {
  cold: ColdSection,
  kraken: KrakenSection,
  tiers: TiersSection,
  validate: ValidateSection,
  regions: RegionsSection,
  derivs: DerivsSection,
  defi: DefiSection,
} as const;

function fileSchema<T extends Record<string, z.ZodObject>>(sections: T) {
  const shape = Object.fromEntries(
    Object.entries(sections).map(([k, s]) => [k, s.prefault({})]),
  ) as { [K in keyof T]: z.ZodPrefault<T[K]> };
  return z.strictObject(shape);
}

export const MainFileSchema = fileSchema(MainFileSections);
export const SourcesFileSchema = fileSchema(SourcesFileSections);

export type MainFileConfig = z.infer<typeof MainFileSchema>;
export type SourcesFileConfig = z.infer<typeof SourcesFileSchema>;

/** The effective configuration: both files merged (sections are disjoint) plus resolved paths. */
export type Config = MainFileConfig & SourcesFileConfig & {
  /** Where each file was read from (or "(embedded defaults)"). */
  files: { main: string; sources: string };
};

export const ALL_SECTIONS: Record<string, z.ZodObject> = { ...MainFileSections, ...SourcesFileSections };
