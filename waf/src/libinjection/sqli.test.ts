import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { detectSQLi } from "./index.js";
import { FINGERPRINT_COUNT, fingerprintKey, isFingerprint, KEYWORD_COUNT, lookupKeyword } from "./sqli-data.js";

/** A byte string from text (UTF-8 bytes, one char per byte). */
const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");

describe("detectSQLi", () => {
  test("libinjection README's example: -1' and 1=1 union/* foo */select load_file('/etc/passwd')--", () => {
    assert.deepEqual(detectSQLi("-1' and 1=1 union/* foo */select load_file('/etc/passwd')--"), {
      sqli: true,
      fingerprint: "s&1UE",
    });
  });

  const cases: [string, string][] = [
    ["1' OR '1'='1", "s&sos"],
    ["-1 UNION SELECT username, password FROM users--", "1UEnk"],
    ["1 AND SLEEP(5)#", "1&f(1"],
    ["admin'--", "sc"],
    ["1; DROP TABLE users", "1;Tnn"],
    ['" or ""="', "s&sos"],
    ["1 /*!50000union*/ select 1", "X"],
    ["1 AND 1=1", "1&1"],
    ["", ""],
    ["12345", ""],
    ["jane.doe+news@example.com", ""],
    ["Hello, I'd like to order 2 items and return the other one (it's broken).", ""],
    ["O'Reilly", ""],
    ["SELECT is my favourite word", ""],
  ];
  for (const [input, fingerprint] of cases) {
    test(`${JSON.stringify(input)} → ${fingerprint || "not SQLi"}`, () => {
      assert.deepEqual(detectSQLi(input), { sqli: fingerprint !== "", fingerprint });
    });
  }

  // Palisade's departures from libinjection's verdict (README, "false positives"), each with the
  // attack of the same shape that stays SQLi.
  const departures: [string, string][] = [
    ['"LIKE" STAMP', ""], // a quoted word after a double quote
    ['<a href="/apps/">apps</a>', ""], // a quoted path folds to one operator
    ['q="MOD"&page=2', ""],
    ['1"OR"1', "s&s"], // values against the quotes
    ['a" OR "b', "s&s"], // spaces inside the quotes
    ['x"OR!"0', "s&s"],
    ["'LIKE'", "sos"], // after a single quote libinjection's verdict stands
    ["1611-IioXXIG1ti8rspL2vbXFy--", ""], // a comment glued to a word, as foo--
    ["1-1--", "1c"], // glued to a number: test-sqli-032's shape
    ["1*1--", "1c"],
  ];
  for (const [input, fingerprint] of departures) {
    test(`departure: ${JSON.stringify(input)} → ${fingerprint || "not SQLi"}`, () => {
      assert.deepEqual(detectSQLi(input), { sqli: fingerprint !== "", fingerprint });
    });
  }

  test("bytes past ASCII (UTF-8 text, NBSP as space, NUL) are read as bytes", () => {
    assert.deepEqual(detectSQLi(bytes("ニュース 1 OR 1=1")), { sqli: false, fingerprint: "" });
    assert.equal(detectSQLi("1\u00a0UNION\u00a0SELECT\u00a02--").sqli, true);
    assert.equal(detectSQLi("1\u0000' OR '1'='1").sqli, true);
  });

  test("never throws, answers the same twice, and a fingerprint is 1–5 chars exactly when SQLi", () => {
    const byteString = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString("latin1"));
    const sqlish = fc
      .array(
        fc.constantFrom(
          "1",
          "'",
          '"',
          " ",
          "OR",
          "union",
          "select",
          "--",
          "/*",
          "*/",
          "#",
          "(",
          ")",
          "=",
          ",",
          "@@v",
          "`",
          "x",
          "$$",
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(byteString, sqlish), (input) => {
        const a = detectSQLi(input);
        const b = detectSQLi(input);
        assert.deepEqual(a, b);
        assert.equal(a.sqli, a.fingerprint.length > 0);
        assert.ok(a.fingerprint.length <= 5);
        if (a.sqli) assert.ok(isFingerprint(fingerprintKey(a.fingerprint)), a.fingerprint);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("SQLi data (third_party/libinjection/fingerprint-data)", () => {
  test("985 keywords and 8,367 fingerprints are loaded; fingerprints.txt equals the JSON's list", () => {
    assert.equal(KEYWORD_COUNT, 985);
    assert.equal(FINGERPRINT_COUNT, 8367);
    const dir = new URL("../../third_party/libinjection/fingerprint-data/", import.meta.url);
    const json = JSON.parse(readFileSync(new URL("sqlparse_data.json", dir), "utf8")) as { fingerprints: string[] };
    const txt = readFileSync(new URL("fingerprints.txt", dir), "latin1").split("\n").filter(Boolean);
    assert.deepEqual(txt, json.fingerprints);
  });

  test("keywords are found ignoring case; fingerprints ignoring case (t and T alike)", () => {
    assert.equal(lookupKeyword("xx select", 3, 6), "E".charCodeAt(0));
    assert.equal(lookupKeyword("SeLeCt", 0, 6), "E".charCodeAt(0));
    assert.equal(lookupKeyword("selects", 0, 7), 0);
    assert.equal(lookupKeyword("||", 0, 2), "&".charCodeAt(0));
    assert.ok(isFingerprint(fingerprintKey("s&1UE")));
    assert.equal(isFingerprint(fingerprintKey("nnnnn")), false);
    assert.equal(fingerprintKey("1ot"), fingerprintKey("1oT"));
  });
});
