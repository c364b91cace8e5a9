import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { urlEncode } from "../transformations/url-encode.js";
import { parseCookies } from "./cookies.js";
import { parseJson } from "./json.js";
import { parseMultipart } from "./multipart.js";
import { parseQueryString } from "./query-string.js";
import { parseUrlencoded } from "./urlencoded.js";
import { parseXml } from "./xml.js";

function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Arbitrary byte strings (latin1, one char per byte). */
const bytes = fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u).toString("latin1"));
/** Byte strings dense in the bytes the parsers look at. */
const tricky = fc
  .array(
    fc.constantFrom(
      "--",
      "XyZ",
      "\r\n",
      "\n",
      ":",
      ";",
      "=",
      '"',
      "'",
      "\\",
      "&",
      "<",
      ">",
      "/",
      "{",
      "}",
      "[",
      "]",
      ",",
      "a",
      " ",
      "Content-Disposition: form-data; name=",
      "<!--",
      "-->",
      "<![CDATA[",
      "]]>",
      "&#",
      "\x00",
      "\xff",
    ),
    { maxLength: 80 },
  )
  .map((a) => a.join(""));

test("urlencoded: pairs encoded with urlEncode parse back to the same pairs", () => {
  const pair = fc.tuple(bytes, bytes);
  fc.assert(
    fc.property(fc.array(pair, { minLength: 1, maxLength: 20 }), (pairs) => {
      const body = pairs.map(([n, v]) => `${urlEncode(n)}=${urlEncode(v)}`).join("&");
      assert.deepEqual(parseUrlencoded(body).args, pairs);
      assert.equal(parseUrlencoded(body).urlencodedError, false);
    }),
  );
});

test("multipart: a body built from random parts parses back to the same parts", () => {
  const token = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
  const part = fc.record({ name: token, filename: fc.option(token, { nil: null }), content: bytes });
  fc.assert(
    fc.property(
      fc.array(part, { maxLength: 8 }),
      fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
      (parts, boundary) => {
        // A boundary must not occur in the content (RFC 2046 §5.1.1): pick parts that respect it.
        fc.pre(
          parts.every((p) => !`\n${p.content}`.includes(`\n--${boundary}`) && !p.content.includes(`--${boundary}`)),
        );
        const encoded = parts.map((p) => {
          const file = p.filename === null ? "" : `; filename="${p.filename}"`;
          return `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}\r\n\r\n${p.content}\r\n`;
        });
        const body = `${encoded.join("")}--${boundary}--\r\n`;
        const parsed = parseMultipart(body, `multipart/form-data; boundary="${boundary}"`);
        assert.equal(parsed.error, null);
        assert.deepEqual(
          parsed.args,
          parts.filter((p) => p.filename === null).map((p) => [p.name, p.content]),
        );
        assert.deepEqual(
          parsed.multipart?.files,
          parts
            .filter((p) => p.filename !== null)
            .map((p) => ({ name: p.name, filename: p.filename, size: p.content.length })),
        );
        assert.equal(parsed.multipart?.flags.lfLine, false);
      },
    ),
  );
});

test("json: values serialised by JSON.stringify flatten to their leaves", () => {
  const leaf = fc.oneof(fc.string({ unit: "grapheme-ascii" }), fc.integer(), fc.boolean());
  fc.assert(
    fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), leaf), (object) => {
      const parsed = parseJson(JSON.stringify(object));
      assert.equal(parsed.error, null);
      assert.deepEqual(
        parsed.args,
        Object.entries(object).map(([k, v]) => [`json.${k}`, String(v)]),
      );
    }),
  );
});

test("no processor throws on any bytes, and every name and value stays a byte string", () => {
  fc.assert(
    fc.property(fc.oneof(bytes, tricky), (body) => {
      const results = [
        parseUrlencoded(body),
        parseJson(body),
        parseXml(body),
        parseMultipart(body, "multipart/form-data; boundary=XyZ"),
        parseMultipart(body, body),
      ];
      for (const r of results) {
        for (const [n, v] of r.args) assert.ok(isByteString(n + v));
        assert.ok(r.error === null || typeof r.error === "string");
      }
      parseQueryString(body);
      parseCookies([body, body]);
    }),
    { numRuns: 500 },
  );
});
