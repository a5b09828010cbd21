import { InputError } from "../util/errors.ts";

/** Debian's DejaVu fonts (package fonts-dejavu-core): the charts' only font, embedded into every PNG render. */
export const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

let ready: Promise<{ render: (svg: string) => Uint8Array }> | undefined;

async function init() {
  const fonts: Uint8Array[] = [];
  for (const f of FONT_FILES) {
    try {
      fonts.push(await Deno.readFile(`${DEJAVU_DIR}/${f}`));
    } catch {
      throw new InputError(
        `PNG charts: font ${DEJAVU_DIR}/${f} is missing; install Debian's fonts-dejavu-core ` +
          `(apt-get install fonts-dejavu-core)`,
      );
    }
  }
  // npm:@resvg/resvg-wasm (resvg compiled to WebAssembly): loaded only when a PNG is asked for.
  const { initWasm, Resvg } = await import("@resvg/resvg-wasm");
  const wasm = await Deno.readFile(new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm")));
  await initWasm(wasm);
  return {
    render(svg: string): Uint8Array {
      const r = new Resvg(svg, {
        font: { fontBuffers: fonts, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
        background: "#ffffff",
      });
      return r.render().asPng();
    },
  };
}

/** Renders an SVG to PNG with resvg (WASM) and the DejaVu fonts; deterministic for the same input. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  ready ??= init();
  return (await ready).render(svg);
}
