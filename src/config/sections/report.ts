import { z } from "zod";

/** An email address: local@domain (a bare host such as localhost is allowed, as SMTP allows it). */
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** `report.alerts:` threshold alerts of a performance report (spec D1.5) and where they go. */
export const ReportAlertsSection = z.strictObject({
  /** Sharpe below this → an alert. */
  min_sharpe: z.number().default(1.0),
  /** Any pairwise correlation of the traded symbols' daily returns above this → an alert. */
  max_pair_corr: z.number().min(-1).max(1).default(0.65),
  /** Env var holding the Slack-compatible webhook URL (a secret; unset = no webhook). */
  webhook_url_env: z.string().min(1).default("CRYPTORUN_ALERT_WEBHOOK_URL"),
  /** Optional file holding the webhook URL (e.g. a mounted secret). */
  webhook_url_file: z.string().min(1).optional(),
  /** Env var holding the SMTP URL smtp[s]://user:password@host:port (a secret; unset = no email). */
  smtp_url_env: z.string().min(1).default("CRYPTORUN_ALERT_SMTP_URL"),
  /** Optional file holding the SMTP URL. */
  smtp_url_file: z.string().min(1).optional(),
  /** Email recipients (required for email). */
  email_to: z.array(z.string().regex(EMAIL, "expected an address like ops@example.org")).default([]),
  email_from: z.string().regex(EMAIL, "expected an address like cryptorun@example.org").default(
    "cryptorun@localhost",
  ),
  /** Per-attempt time limit of a delivery. */
  timeout_ms: z.number().int().positive().max(120_000).default(5_000),
  /** Attempts per delivery (1 = no retry), exponential backoff with full jitter between them. */
  attempts: z.number().int().min(1).max(10).default(3),
  /** The same alert (rule and subject) is not sent again on the same channel within this window. */
  dedupe_ms: z.number().int().min(0).default(6 * 3_600_000),
});

/** `report:` in config/cryptorun.yaml — defaults of `cryptorun report` (spec D1); every one has a flag. */
export const ReportSection = z.strictObject({
  /** Exchange fee per side in basis points (--fees-bps). Default: Kraken Pro spot taker, lowest tier, 0.40 %. */
  fees_bps: z.number().min(0).max(1000).default(40),
  /** Slippage per side in basis points (--slippage-bps). */
  slippage_bps: z.number().min(0).max(1000).default(5),
  /** Backtest step in hours (--every); default 4, the regime cadence. Must divide 24. */
  every_hours: z.number().int().refine((h) => [1, 2, 3, 4, 6, 8, 12, 24].includes(h), {
    message: "must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)",
  }).default(4),
  /** Hold time of each position in hours (--hold). */
  hold_hours: z.number().int().min(1).max(24 * 90).default(24),
  /** Entry rule (--entry): `top` = the best `top` ranked rows; `gates` = the best `top` that pass every gate. */
  entry: z.enum(["top", "gates"]).default("top"),
  /** Positions opened per step at most (--top). */
  top: z.number().int().min(1).max(1000).default(3),
  /** Starting capital in quote currency (--capital); each trade's stake = capital / (top · ⌈hold / every⌉). */
  capital: z.number().positive().default(10_000),
  /** Periods per year of the daily returns (--periods-per-year): crypto trades every day. */
  periods_per_year: z.number().positive().default(365),
  /**
   * Sector of each base asset (the sector pie; a base not listed is "unclassified"). Default: the 30 shipped
   * pairs' bases, by their main use.
   */
  sectors: z.record(z.string().regex(/^[A-Z0-9]+$/), z.string().min(1).max(40)).default({
    BTC: "currency",
    LTC: "currency",
    BCH: "currency",
    DOGE: "currency",
    XMR: "privacy",
    XRP: "payments",
    XLM: "payments",
    ETH: "smart contracts",
    ADA: "smart contracts",
    SOL: "smart contracts",
    AVAX: "smart contracts",
    DOT: "smart contracts",
    ATOM: "smart contracts",
    NEAR: "smart contracts",
    ALGO: "smart contracts",
    FTM: "smart contracts",
    EOS: "smart contracts",
    ETC: "smart contracts",
    TRX: "smart contracts",
    XTZ: "smart contracts",
    BNB: "exchange",
    MATIC: "scaling",
    AAVE: "DeFi",
    LINK: "oracles",
    VET: "supply chain",
  }),
  alerts: ReportAlertsSection.prefault({}),
  /** The buy-and-hold benchmark symbol (equity chart, beta). */
  benchmark: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/).default("BTC/USD"),
});
export type ReportConfig = z.infer<typeof ReportSection>;
