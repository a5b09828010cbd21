/**
 * deno run -A scripts/backtest_figures.ts — the `backtest` regression suite's command (artifacts/baselines/
 * backtest.json, spec D3.2 signal part): runs `cryptorun report --performance` over the whole shipped Kraken
 * fixture history (2022-01-01 → 2022-07-01, embedded defaults, a fresh temp data dir, persistence off) and
 * prints `{"suite":"backtest","figures":{…}}` with the backtest's hit rate, Sharpe and trade count.
 */
import { runCli } from "../src/cli/run.ts";

export const WINDOW = { from: "2022-01-01T00:00:00Z", to: "2022-07-01T00:00:00Z" };

export async function backtestFigures(): Promise<Record<string, { value: number }>> {
  const dir = await Deno.makeTempDir({ prefix: "cryptorun-backtest-figures-" });
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ["--data-dir", dir, "--json", "report", "--performance", "--from", WINDOW.from, "--to", WINDOW.to],
      {
        stdout: (l) => out.push(l),
        stderr: (l) => err.push(l),
        stderrIsTty: false,
        env: { CRYPTORUN_PERSISTENCE_ENABLED: "false" },
      },
    );
    if (code !== 0) throw new Error(`report --performance exited ${code}: ${err.join("\n")}`);
    const j = JSON.parse(out.join("\n"));
    return {
      hit_rate: { value: j.hit_rate },
      sharpe: { value: j.sharpe },
      trades: { value: j.trades },
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  console.log(JSON.stringify({ suite: "backtest", window: WINDOW, figures: await backtestFigures() }));
}
