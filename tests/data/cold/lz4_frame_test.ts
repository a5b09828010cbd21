// CSV .lz4 files are standard LZ4 frames: the Debian `lz4` command reads ours and we read its output.
import assert from "node:assert/strict";
import { lz4FrameCompressor, lz4FrameDecompressor } from "../../../src/data/cold/lz4_frame.ts";
import { tempDir } from "../../helpers/tmp.ts";

function lz4Bin(): string {
  for (const p of ["/usr/bin/lz4", "/usr/local/bin/lz4"]) {
    try {
      Deno.statSync(p);
      return p;
    } catch { /* next */ }
  }
  throw new Error("the lz4 command is missing (scripts/test.sh installs Debian's lz4 package)");
}

function sampleText(rows: number): Uint8Array {
  let s = 11;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const lines = ["ts_ms,symbol,open,high,low,close,volume"];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${1.7e12 + i * 60000},S${i % 97}/USD,${rnd() * 1e4},${rnd()},${rnd()},${rnd()},${rnd() * 1e6}`,
    );
  }
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

async function pipe(bytes: Uint8Array, t: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(t)).arrayBuffer(),
  );
}

Deno.test("lz4: our frames (several 1 MiB blocks) decode with the lz4 command, byte for byte", async () => {
  await using dir = await tempDir();
  const raw = sampleText(60_000); // ≈ 5 MB → several blocks
  const comp = await pipe(raw, lz4FrameCompressor());
  assert.ok(comp.length < raw.length);
  await Deno.writeFile(`${dir.path}/a.csv.lz4`, comp);
  const out = await new Deno.Command(lz4Bin(), {
    args: ["-d", "-c", `${dir.path}/a.csv.lz4`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(out.stdout, raw);
  assert.deepEqual(await pipe(comp, lz4FrameDecompressor()), raw);
});

Deno.test("lz4: we decode the lz4 command's frames (independent, linked, with content size/checksums)", async () => {
  await using dir = await tempDir();
  const raw = sampleText(40_000);
  await Deno.writeFile(`${dir.path}/in.csv`, raw);
  for (const flags of [[], ["-BD"], ["--content-size", "-BX"], ["-B4"]]) {
    const dst = `${dir.path}/in${flags.join("")}.csv.lz4`;
    const out = await new Deno.Command(lz4Bin(), { args: ["-q", "-f", ...flags, `${dir.path}/in.csv`, dst] })
      .output();
    assert.equal(out.code, 0);
    assert.deepEqual(await pipe(await Deno.readFile(dst), lz4FrameDecompressor()), raw, flags.join(" "));
  }
});

Deno.test("lz4: garbage and truncated frames fail clearly", async () => {
  await assert.rejects(
    pipe(new TextEncoder().encode("not lz4 at all"), lz4FrameDecompressor("x.csv.lz4")),
    /x\.csv\.lz4: not an LZ4 frame/,
  );
  const comp = await pipe(sampleText(1000), lz4FrameCompressor());
  await assert.rejects(
    pipe(comp.subarray(0, comp.length - 20), lz4FrameDecompressor("y.csv.lz4")),
    /y\.csv\.lz4: truncated LZ4 frame/,
  );
});
