/**
 * The project's import graph, from `deno info --json`, and the checks the architecture tests run on it. Pure
 * functions over plain data (`Graph`), so each check can also be run on a small synthetic graph (the tests
 * show they can fail).
 */

export interface Edge {
  /** Resolved specifier: file:///…/src/x.ts, npm:/pkg@1.2.3/…, node:fs … */
  to: string;
  /** A type-only import (`import type`): erased at run time. */
  typeOnly: boolean;
  /** `import()` evaluated when that code runs, not when the importer loads. */
  dynamic: boolean;
}

export interface Graph {
  /** Module → its imports. */
  edges: Map<string, Edge[]>;
  /** npm module specifier → package name@version. */
  npmPackage: Map<string, string>;
}

interface InfoJson {
  modules: Array<{
    specifier: string;
    kind?: string;
    npmPackage?: string;
    dependencies?: Array<{
      code?: { specifier: string };
      type?: { specifier: string };
      isDynamic?: boolean;
    }>;
  }>;
}

/** Runs `deno info --json` on each entry (absolute paths) and merges the graphs. */
export async function loadGraph(root: string, entries: string[]): Promise<Graph> {
  const g: Graph = { edges: new Map(), npmPackage: new Map() };
  // One temporary root importing every entry: one `deno info` call for the whole project.
  const tmp = await Deno.makeTempFile({ dir: root, prefix: ".graph-root-", suffix: ".ts" });
  try {
    await Deno.writeTextFile(tmp, entries.map((e) => `import ${JSON.stringify(e)};\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", tmp],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.code !== 0) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as InfoJson;
    for (const m of info.modules) {
      if (m.specifier === `file://${tmp}`) continue;
      if (m.npmPackage) g.npmPackage.set(m.specifier, m.npmPackage);
      const edges: Edge[] = [];
      for (const d of m.dependencies ?? []) {
        if (d.code) edges.push({ to: d.code.specifier, typeOnly: false, dynamic: d.isDynamic === true });
        else if (d.type) edges.push({ to: d.type.specifier, typeOnly: true, dynamic: d.isDynamic === true });
      }
      g.edges.set(m.specifier, edges);
    }
  } finally {
    await Deno.remove(tmp);
  }
  return g;
}

/** Every module `from` loads when it is evaluated: static runtime imports, transitively (no type-only, no dynamic). */
export function staticReach(g: Graph, from: string): Set<string> {
  return reach(g, from, false);
}

/**
 * Every module Deno prepares before `from` runs: its static imports and its string-literal `import()`s,
 * transitively (no type-only edge). What is prepared is read, resolved and analysed although it may never run.
 */
export function preparedReach(g: Graph, from: string): Set<string> {
  return reach(g, from, true);
}

function reach(g: Graph, from: string, dynamic: boolean): Set<string> {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const m = stack.pop()!;
    for (const e of g.edges.get(m) ?? []) {
      if (e.typeOnly || (e.dynamic && !dynamic) || seen.has(e.to)) continue;
      seen.add(e.to);
      stack.push(e.to);
    }
  }
  return seen;
}

/** The npm packages (name without version) among `modules`, sorted. */
export function packagesOf(g: Graph, modules: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const m of modules) {
    const pkg = g.npmPackage.get(m) ?? (m.startsWith("npm:") ? m.slice(4) : undefined);
    if (pkg) out.add(pkg.replace(/^\/?((?:@[^/]+\/)?[^@/]+).*$/, "$1"));
  }
  return [...out].sort();
}

/**
 * Imports (type-only ones too: they couple the layers all the same) from a module under one of `layers` to a
 * module under one of `forbidden`. Paths are relative to `root` (`src/market/`); results `from → to`.
 */
export function layerViolations(g: Graph, root: string, layers: string[], forbidden: string[]): string[] {
  const rel = (s: string) => s.startsWith(`file://${root}`) ? s.slice(`file://${root}`.length) : undefined;
  const out: string[] = [];
  for (const [from, edges] of g.edges) {
    const f = rel(from);
    if (f === undefined || !layers.some((l) => f.startsWith(l))) continue;
    for (const e of edges) {
      const t = rel(e.to);
      if (t !== undefined && forbidden.some((x) => t.startsWith(x))) out.push(`${f} → ${t}`);
    }
  }
  return out.sort();
}

/**
 * Import cycles among the modules under `prefix` (runtime edges, dynamic ones included: a dynamic import is
 * still a cycle): each cycle as the sorted list of its modules (relative to `root`). Tarjan's algorithm.
 */
export function cyclesUnder(g: Graph, root: string, prefix: string): string[][] {
  const inside = (s: string) => s.startsWith(`file://${root}${prefix}`);
  const nodes = [...g.edges.keys()].filter(inside);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const strong = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const e of g.edges.get(v) ?? []) {
      if (e.typeOnly || !inside(e.to)) continue;
      if (!index.has(e.to)) {
        strong(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = (g.edges.get(v) ?? []).some((e) => !e.typeOnly && e.to === v);
      if (scc.length > 1 || selfLoop) cycles.push(scc.map((s) => s.slice(`file://${root}`.length)).sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);
  return cycles;
}
