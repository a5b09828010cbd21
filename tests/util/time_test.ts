// The one time parser (src/util/time.ts): every accepted form, every refused one with its reason, and a guard
// that no other source file parses time strings on its own.
import assert from "node:assert/strict";
import { checkTime, httpDateMs, parseRange, parseTime } from "../../src/util/time.ts";
import { UsageError } from "../../src/util/errors.ts";

const VALID: Array<[string, string]> = [
  ["2020-02-29", "2020-02-29T00:00:00.000Z"], // leap year
  ["2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000Z"], // divisible by 400: leap
  ["2024-01-31T23:59:59Z", "2024-01-31T23:59:59.000Z"],
  ["2024-01-31T23:59", "2024-01-31T23:59:00.000Z"], // no zone = UTC
  ["2024-01-31 23:59:59", "2024-01-31T23:59:59.000Z"],
  ["2024-01-31t23:59:59z", "2024-01-31T23:59:59.000Z"],
  ["2024-01-31T23:59:59.5Z", "2024-01-31T23:59:59.500Z"],
  ["2024-01-31T23:59:59.999999999Z", "2024-01-31T23:59:59.999Z"], // beyond ms: truncated
  ["2024-01-31T02:00:00+02:00", "2024-01-31T00:00:00.000Z"],
  ["2024-01-31T02:00:00+0200", "2024-01-31T00:00:00.000Z"],
  ["2024-01-31T00:00:00+14:00", "2024-01-30T10:00:00.000Z"], // Kiribati, the largest real offset
  ["2024-01-31T00:00:00-12:00", "2024-01-31T12:00:00.000Z"],
  ["2024-01-31T00:00:00-05:30", "2024-01-31T05:30:00.000Z"],
  ["  2024-01-31  ", "2024-01-31T00:00:00.000Z"], // surrounding blanks
  ["1704067200000", "2024-01-01T00:00:00.000Z"], // 13-digit epoch ms
  ["1000000000000", "2001-09-09T01:46:40.000Z"],
  ["9999999999999", "2286-11-20T17:46:39.999Z"],
];

/** Invalid value → a pattern its reason must match. */
const INVALID: Array<[string, RegExp]> = [
  ["2020-02-30", /February 2020 has 29 days, not 30/],
  ["2020-02-30T00:00:00Z", /February 2020 has 29 days/],
  ["2022-02-30", /February 2022 has 28 days/],
  ["2021-02-29", /February 2021 has 28 days, not 29/],
  ["1900-02-29", /February 1900 has 28 days/], // divisible by 100, not 400
  ["2019-04-31", /April 2019 has 30 days, not 31/],
  ["2019-12-32", /December 2019 has 31 days, not 32/],
  ["2019-13-01", /month 13 does not exist/],
  ["2019-00-01", /month 00 does not exist/],
  ["2019-01-00", /day 00 does not exist/],
  ["2020-01-01T24:00:00Z", /hour 24 is out of range/],
  ["2020-01-01T25:00", /hour 25 is out of range/],
  ["2020-01-01T23:60:00Z", /minute 60 is out of range/],
  ["2016-12-31T23:59:60Z", /second 60 \(a leap second\) is not accepted/],
  ["2020-01-01T00:00:61Z", /second 61 is out of range/],
  ["2020-01-01T00:00:00+15:00", /offset \+15:00 is beyond ±14:00/],
  ["2020-01-01T00:00:00-14:30", /offset -14:30 is beyond ±14:00/],
  ["2020-01-01T00:00:00+01:60", /offset minutes 60 are out of range/],
  ["2020-01-01T00:00:00.1234567891Z", /more than 9 fractional digits/],
  ["2020/01/02", /slashes are ambiguous/],
  ["01/02/2020", /slashes are ambiguous/],
  ["01-02-2020", /day-month-year order is ambiguous/],
  ["20-01-02", /2-digit year is ambiguous/],
  ["02-30", /without a 4-digit year is ambiguous/],
  ["2020-1-2", /month and day need 2 digits/],
  ["2020-01-01T1:00", /hh:mm or hh:mm:ss with 2 digits/],
  ["2020-01-01T00:00:00Zjunk", /trailing characters "junk"/],
  ["2020-01-01T00:00:00Z ok", /trailing characters/],
  ["2020-01-01x", /trailing characters "x"/],
  ["1577836800", /epoch SECONDS.*multiply by 1000 \(1577836800000 = 2020-01-01T00:00:00\.000Z\)/],
  ["999999999", /epoch SECONDS/],
  ["1577836800000000", /epoch MICROseconds/],
  ["1577836800000000000", /epoch NANOseconds/],
  ["20200101", /compact date: write it as 2020-01-01/],
  ["0", /expected exactly 13 digits/],
  ["123", /expected exactly 13 digits/],
  ["0577836800000", /expected exactly 13 digits/],
  ["-1", /negative epoch/],
  ["-1577836800000", /negative epoch/],
  ["+1577836800000", /plain integer/],
  ["1.5e12", /plain integer/],
  ["1577836800000.5", /plain integer/],
  ["", /empty/],
  ["   ", /empty/],
  ["yesterday", /expected ISO-8601/],
  ["now", /expected ISO-8601/],
  ["Feb 30 2020", /expected ISO-8601/],
  ["2020-02-30T00:00:00", /February 2020 has 29 days/],
];

Deno.test("checkTime: every accepted form, in UTC", () => {
  for (const [text, iso] of VALID) {
    const r = checkTime(text);
    assert.ok(r.ok, `${JSON.stringify(text)}: ${!r.ok && r.reason}`);
    assert.equal(new Date(r.ms).toISOString(), iso, text);
  }
});

Deno.test("checkTime / parseTime: every refused form says why, and parseTime names the flag and the value", () => {
  for (const [text, why] of INVALID) {
    const r = checkTime(text);
    assert.ok(!r.ok, `${JSON.stringify(text)} was accepted as ${r.ok && new Date(r.ms).toISOString()}`);
    assert.match(r.reason, why, text);
    assert.throws(
      () => parseTime(text, "--from"),
      (e: Error) => {
        assert.ok(e instanceof UsageError, text);
        assert.ok(e.message.startsWith("--from: "), e.message);
        assert.match(e.message, why);
        assert.ok(e.message.endsWith(`found ${JSON.stringify(text)}`), e.message);
        return true;
      },
    );
  }
});

Deno.test("checkTime: fractions are truncated toward the past, so a truncated --to never reads past the time", () => {
  const r = checkTime("2024-01-31T23:59:59.9999Z");
  assert.ok(r.ok);
  assert.equal(r.ms, Date.UTC(2024, 0, 31, 23, 59, 59, 999));
});

Deno.test("parseRange: both bounds strict, from after to refused", () => {
  assert.deepEqual(parseRange("2024-01-01", "2024-01-02"), {
    from: Date.UTC(2024, 0, 1),
    to: Date.UTC(2024, 0, 2),
  });
  assert.throws(() => parseRange("2024-01-02", "2024-01-01"), /--from 2024-01-02 is after --to 2024-01-01/);
  assert.throws(
    () => parseRange("2024-01-01", "2024-02-30"),
    /--to: February 2024 has 29 days.*"2024-02-30"/,
  );
});

Deno.test("one parser: no source file but src/util/time.ts parses a time string itself", async () => {
  const offenders: string[] = [];
  const root = new URL("../../src/", import.meta.url);
  async function walk(dir: URL): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) await walk(url);
      else if (e.name.endsWith(".ts") && !url.pathname.endsWith("/src/util/time.ts")) {
        const text = await Deno.readTextFile(url);
        text.split("\n").forEach((line, i) => {
          // Date.parse is lenient (2020-02-30 → March 1); new Date(<string>) too. Numbers into Date are fine.
          if (/\bDate\.parse\s*\(|new Date\(\s*["'`]|new Date\(\s*String\(/.test(line)) {
            offenders.push(`${url.pathname.split("/src/")[1]}:${i + 1}: ${line.trim()}`);
          }
        });
      }
    }
  }
  await walk(root);
  assert.deepEqual(offenders, []);
});

Deno.test("httpDateMs: an IMF-fixdate (Retry-After) is read; other forms and impossible dates are NaN", () => {
  assert.equal(httpDateMs("Sun, 06 Nov 1994 08:49:37 GMT"), Date.UTC(1994, 10, 6, 8, 49, 37));
  assert.ok(Number.isNaN(httpDateMs("Sunday, 06-Nov-94 08:49:37 GMT")));
  assert.ok(Number.isNaN(httpDateMs("Fri, 30 Feb 2024 00:00:00 GMT")));
  assert.ok(Number.isNaN(httpDateMs("2024-01-01T00:00:00Z")));
});
