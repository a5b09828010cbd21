/**
 * Splits a byte stream into text lines (\n or \r\n), numbered from 1, without holding more than one chunk
 * plus one partial line in memory.
 */
export async function* textLines(
  bytes: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<{ line: string; lineNo: number }> {
  const reader = bytes.pipeThrough(new TextDecoderStream("utf-8", { fatal: true })).getReader();
  let rest = "";
  let lineNo = 0;
  try {
    while (true) {
      signal?.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      const text = rest + value;
      let start = 0;
      let nl: number;
      while ((nl = text.indexOf("\n", start)) !== -1) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        lineNo++;
        yield { line: text.slice(start, end), lineNo };
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    if (rest.length > 0) {
      lineNo++;
      yield { line: rest.endsWith("\r") ? rest.slice(0, -1) : rest, lineNo };
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
