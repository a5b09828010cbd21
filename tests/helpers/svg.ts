import assert from "node:assert/strict";

/**
 * Asserts an SVG document is well-formed XML of the shape our charts write: one root <svg> in the SVG namespace,
 * every element closed in order, attribute values quoted, text with no raw `<` or bare `&`, and no number that
 * leaked as NaN/undefined/Infinity. (resvg parses strictly too; this names the fault.)
 */
export function assertWellFormedSvg(svg: string, what = "svg"): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${what}: root is not <svg xmlns=…>`);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/, `${what}: a number leaked as NaN/undefined/Infinity`);
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  let roots = 0;
  while ((m = re.exec(svg)) !== null) {
    last = re.lastIndex;
    if (m[5] !== undefined) {
      assert.doesNotMatch(
        m[5],
        /&(?!(amp|lt|gt|quot|apos|#\d+);)/,
        `${what}: bare & in ${JSON.stringify(m[5])}`,
      );
      assert.ok(stack.length > 0 || m[5].trim() === "", `${what}: text outside the root`);
      continue;
    }
    if (m[2] === undefined) continue; // a comment
    if (m[1] === "/") assert.equal(stack.pop(), m[2], `${what}: </${m[2]}> closes the wrong element`);
    else if (m[4] !== "/") {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    }
  }
  assert.equal(
    last,
    svg.length,
    `${what}: malformed markup at ${JSON.stringify(svg.slice(last, last + 40))}`,
  );
  assert.deepEqual(stack, [], `${what}: unclosed ${stack.join(", ")}`);
  assert.equal(roots, 1, `${what}: expected one root element`);
}

/** The text of every <text> element whose attributes match `attrs` (in document order, XML-unescaped). */
export function svgTexts(svg: string, attrs: RegExp = /.*/): string[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].filter((m) => attrs.test(m[1])).map((m) =>
    m[2].replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&amp;", "&")
  );
}
