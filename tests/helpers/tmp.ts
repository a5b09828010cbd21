/** A temp directory removed when the returned disposable is disposed (`await using dir = await tempDir()`). */
export async function tempDir(prefix = "cryptorun-test-"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
