/**
 * Child process of tests/data/warm/cache_test.ts: stores one large warm entry and is SIGKILLed halfway through
 * the write. Args: ROOT MODE. MODE `atomic`: the cache's real protocol (temp file, then rename) — killed before
 * the rename. MODE `torn`: a writer that writes in place — killed with half the entry on disk. Prints `half`
 * once half the bytes are written, then waits to be killed.
 */
import { openWarmCache } from "../../../src/data/warm/cache.ts";
import { atomicWriteStream, writeFileSynced } from "../../../src/util/atomic_write.ts";

const [root, mode] = Deno.args;
const forever = () => new Promise<never>(() => setInterval(() => {}, 1 << 30));
const half = async () => {
  await Deno.stdout.write(new TextEncoder().encode("half\n"));
  await forever();
};
const cache = openWarmCache(root, {
  writeFile: mode === "atomic"
    ? (path, bytes) =>
      atomicWriteStream(path, async (write) => {
        await write(bytes.subarray(0, bytes.length >> 1));
        await half();
      })
    : async (path, bytes) => {
      await writeFileSynced(path, bytes.subarray(0, bytes.length >> 1));
      await half();
    },
});
const big = { fetch: 999, trades: Array.from({ length: 50_000 }, (_, i) => i) };
await cache.put({ venue: "kraken", endpoint: "Depth", params: { symbol: "BTC/USD", count: "10" } }, big, 1);
