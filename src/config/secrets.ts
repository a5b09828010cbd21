/** Kept for the modules that read secrets through the config layer: the implementation is src/secrets/. */
export { type ResolvedSecret, resolveSecret, type SecretRef } from "../secrets/mod.ts";
