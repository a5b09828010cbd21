import { z } from "zod";
import { LOG_LEVELS } from "../../log/logger.ts";

/** `app:` in config/cryptorun.yaml — process-wide settings. */
export const AppSection = z.strictObject({
  /** Log level (the --log-level flag wins). */
  log_level: z.enum(LOG_LEVELS).default("info"),
  /** Root of every data tier (the --data-dir flag wins). */
  data_dir: z.string().min(1).default("./data"),
});
export type AppConfig = z.infer<typeof AppSection>;
