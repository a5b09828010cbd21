/**
 * Verifies an NDJSON envelope file line by line (streaming: memory stays flat for any file size): counts
 * valid and invalid envelopes by reason, duplicate checksums, and keeps the first failures with their line
 * numbers. Lines are split on raw bytes and each decoded as strict UTF-8, so what is checked is exactly
 * what is in the file.
 */
import type { EnvelopeErrorKind } from "./envelope.ts";
import { check } from "./consumer.ts";

export interface VerifyFailure {
  line: number;
  kind: EnvelopeErrorKind;
  reason: string;
}

export interface VerifyReport {
  file: string;
  lines: number;
  valid: number;
  invalid: number;
  /** Valid envelopes whose checksum appeared earlier in the file. */
  duplicates: number;
  reasons: Partial<Record<EnvelopeErrorKind, number>>;
  /** The first `maxFailures` failures. */
  failures: VerifyFailure[];
  /** True when the last line has no newline (a torn write); it is still checked. */
  unterminatedTail: boolean;
}

/** Splits a byte stream into lines (without "\n"), reporting whether the last one was unterminated. */
export async function* byteLines(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<{ bytes: Uint8Array; terminated: boolean }> {
  let carry = new Uint8Array(0);
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    let buf: Uint8Array;
    if (carry.length > 0) {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry);
      buf.set(chunk, carry.length);
    } else {
      buf = chunk;
    }
    let start = 0;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, start)) {
      yield { bytes: buf.subarray(start, i), terminated: true };
      start = i + 1;
    }
    carry = buf.slice(start);
  }
  if (carry.length > 0) yield { bytes: carry, terminated: false };
}

export async function verifyFile(
  path: string,
  opts: { maxFailures?: number; signal?: AbortSignal; onBytes?(n: number): void } = {},
): Promise<VerifyReport> {
  const max = opts.maxFailures ?? 20;
  const report: VerifyReport = {
    file: path,
    lines: 0,
    valid: 0,
    invalid: 0,
    duplicates: 0,
    reasons: {},
    failures: [],
    unterminatedTail: false,
  };
  const seen = new Set<string>();
  const dec = new TextDecoder("utf-8", { fatal: true });
  const f = await Deno.open(path, { read: true });
  let lineNo = 0;
  let bytes = 0;
  for await (const { bytes: b, terminated } of byteLines(f.readable, opts.signal)) {
    lineNo++;
    bytes += b.length + 1;
    if (lineNo % 10_000 === 0) opts.onBytes?.(bytes);
    if (!terminated) report.unterminatedTail = true;
    let text: string;
    try {
      text = dec.decode(b).replace(/\r$/, "");
    } catch {
      report.lines++;
      fail(lineNo, "malformed", "line is not valid UTF-8");
      continue;
    }
    if (text.trim() === "") continue;
    report.lines++;
    const r = check({ id: String(lineNo), text });
    if (r.ok) {
      report.valid++;
      if (seen.has(r.envelope.checksum)) report.duplicates++;
      else seen.add(r.envelope.checksum);
    } else {
      fail(lineNo, r.error.kind, r.error.message);
    }
  }
  opts.onBytes?.(bytes);
  return report;

  function fail(line: number, kind: EnvelopeErrorKind, reason: string): void {
    report.invalid++;
    report.reasons[kind] = (report.reasons[kind] ?? 0) + 1;
    if (report.failures.length < max) report.failures.push({ line, kind, reason });
  }
}
