import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { base64Decode } from "./base64-decode.js";
import { base64DecodeExt } from "./base64-decode-ext.js";
import { base64Encode } from "./base64-encode.js";
import { compressWhitespace } from "./compress-whitespace.js";
import { hexDecode } from "./hex-decode.js";
import { hexEncode } from "./hex-encode.js";
import { TRANSFORMATIONS } from "./index.js";
import { length } from "./length.js";
import { lowercase } from "./lowercase.js";
import { normalizePath } from "./normalize-path.js";
import { removeWhitespace } from "./remove-whitespace.js";
import { urlDecode } from "./url-decode.js";
import { urlDecodeUni } from "./url-decode-uni.js";
import { urlEncode } from "./url-encode.js";

/** Arbitrary byte strings (latin1, one char per byte). */
const bytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u).toString("latin1"));
/** Byte strings dense in the bytes decoders look at. */
const tricky = fc
  .array(
    fc.constantFrom(
      "%",
      "u",
      "U",
      "f",
      "F",
      "0",
      "4",
      "1",
      "c",
      "\\",
      "x",
      "&",
      "#",
      ";",
      "/",
      ".",
      "*",
      "-",
      "+",
      " ",
      "\x00",
      "\xa0",
      "\xc3",
      "\xbc",
    ),
    { maxLength: 60 },
  )
  .map((a) => a.join(""));

test("urlDecode and urlDecodeUni invert urlEncode", () => {
  fc.assert(
    fc.property(bytes, (s) => {
      assert.equal(urlDecode(urlEncode(s)), s);
      assert.equal(urlDecodeUni(urlEncode(s)), s);
    }),
  );
});

test("base64Decode and base64DecodeExt invert base64Encode; hexDecode inverts hexEncode", () => {
  fc.assert(
    fc.property(bytes, (s) => {
      assert.equal(base64Decode(base64Encode(s)), s);
      assert.equal(base64DecodeExt(base64Encode(s)), s);
      assert.equal(hexDecode(hexEncode(s)), s);
    }),
  );
});

test("base64Decode decodes any run of the base64 alphabet as Node's decoder does (partial final groups included)", () => {
  const alphabet = fc
    .array(fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"), { maxLength: 300 })
    .map((a) => a.join(""));
  fc.assert(
    fc.property(alphabet, (s) => {
      const usable = s.length % 4 === 1 ? s.slice(0, -1) : s;
      assert.equal(base64Decode(s), Buffer.from(usable, "base64").toString("latin1"));
    }),
  );
});

test("decoders never grow their input; idempotent ones are idempotent", () => {
  fc.assert(
    fc.property(fc.oneof(bytes, tricky), (s) => {
      for (const name of [
        "urldecode",
        "urldecodeuni",
        "jsdecode",
        "htmlentitydecode",
        "cssdecode",
        "escapeseqdecode",
      ]) {
        assert.ok(TRANSFORMATIONS.get(name)!(s).length <= s.length, name);
      }
      assert.equal(lowercase(lowercase(s)), lowercase(s));
      assert.equal(removeWhitespace(removeWhitespace(s)), removeWhitespace(s));
      assert.equal(compressWhitespace(compressWhitespace(s)), compressWhitespace(s));
      assert.equal(normalizePath(normalizePath(s)), normalizePath(s));
      assert.equal(length(s), String(s.length));
    }),
  );
});

test("every transformation maps byte strings to byte strings without throwing", () => {
  fc.assert(
    fc.property(fc.oneof(bytes, tricky), (s) => {
      for (const [name, fn] of TRANSFORMATIONS) {
        const out = fn(s);
        for (let i = 0; i < out.length; i++) assert.ok(out.charCodeAt(i) < 256, name);
      }
    }),
  );
});
