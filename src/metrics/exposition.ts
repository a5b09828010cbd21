import client, { type Registry } from "prom-client";

/**
 * The Prometheus text exposition (format 0.0.4) of a registry, byte-identical to prom-client's
 * `registry.metrics()` but ~3× cheaper per series: one pass of string concatenation per sample, label
 * values escaped only when they hold `\`, `"` or a newline (prom-client builds arrays, spreads, filters and
 * runs three regex replaces per label of every sample). At 10 k series this is the whole cost of a scrape.
 * OpenMetrics content and registries with default labels (exemplars, label merging) keep prom-client's own
 * serialiser.
 */
export async function renderMetrics(registry: Registry): Promise<string> {
  if (
    registry.contentType !== client.Registry.PROMETHEUS_CONTENT_TYPE ||
    // deno-lint-ignore no-explicit-any
    Object.keys((registry as any)._defaultLabels ?? {}).length > 0
  ) {
    return await registry.metrics();
  }
  const metrics = registry.getMetricsAsArray();
  // Collected concurrently, as prom-client does (collect callbacks may await).
  const all = await Promise.all(metrics.map((metric) => {
    const m = metric as unknown as Collectable;
    return typeof m.getForPromString === "function" ? m.getForPromString() : m.get();
  }));
  return all.map(renderMetric).join("\n\n") + "\n";
}

/** What prom-client's metric objects expose at runtime (its typings omit it for `getMetricsAsArray`). */
interface Collectable {
  get(): Promise<MetricData>;
  getForPromString?(): Promise<MetricData>;
}

interface Sample {
  value: number;
  labels?: Record<string, unknown>;
  sharedLabels?: Record<string, unknown>;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: Sample[];
}

function renderMetric(m: MetricData): string {
  const name = escapeText(m.name);
  let out = `# HELP ${name} ${escapeText(m.help)}\n# TYPE ${name} ${m.type}`;
  for (const v of m.values ?? []) {
    let line = "\n" + (v.metricName ?? name);
    let open = false;
    const shared = v.sharedLabels;
    const labels = v.labels;
    if (labels) {
      for (const k in labels) {
        if (!Object.hasOwn(labels, k) || (shared && Object.hasOwn(shared, k))) continue;
        line += (open ? "," : "{") + k + '="' + escapeLabel(labels[k]) + '"';
        open = true;
      }
    }
    if (shared) {
      for (const k in shared) {
        if (!Object.hasOwn(shared, k)) continue;
        line += (open ? "," : "{") + k + '="' + escapeLabel(shared[k]) + '"';
        open = true;
      }
    }
    out += line + (open ? "} " : " ") + sampleValue(v.value);
  }
  return out;
}

const NEEDS_TEXT_ESCAPE = /[\\\n]/;
const NEEDS_LABEL_ESCAPE = /[\\\n"]/;

/** HELP text and names: backslash and newline escaped (as prom-client). */
function escapeText(s: string): string {
  return NEEDS_TEXT_ESCAPE.test(s) ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : s;
}

/** Label values: backslash, newline and double quote escaped; non-strings printed as they are. */
function escapeLabel(v: unknown): unknown {
  return typeof v === "string" && NEEDS_LABEL_ESCAPE.test(v)
    ? v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
    : v;
}

/** Sample values as prom-client writes them (`Nan`, `+Inf`, `-Inf`, else JS number text). */
function sampleValue(v: number): string {
  if (Number.isNaN(v)) return "Nan";
  if (!Number.isFinite(v)) return v < 0 ? "-Inf" : "+Inf";
  return `${v}`;
}
