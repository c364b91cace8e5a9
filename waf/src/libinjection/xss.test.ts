import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { detectXSS } from "./index.js";

describe("detectXSS", () => {
  const xss = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#106;ava&#x73;cript:alert(1)">x</a>',
    "<a href='vbscript:msgbox(1)'>",
    '<iframe src="data:text/html,<script>alert(1)</script>">',
    "<div style=\"background:url('x')\">",
    "<!DOCTYPE html>",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<?xml version='1.0'?><script>alert(1)</script>", // a declaration, then script
    "<?xml:namespace prefix=t ns=urn:schemas-microsoft-com:time>", // IE's trick: what libinjection's `<?xml` check is for
    "<?xml version='1.0'?> x><payload><![CDATA[<img src=x onerror=alert(1)>]]></payload></x>", // xss-xenotix.txt
    "<SCR\u0000IPT>alert(1)</SCRIPT>",
    " onmouseover=alert(1) x=", // inside an unquoted attribute value
    "' onfocus='alert(1)", // after a single quote
    '" autofocus onfocus="alert(1)', // after a double quote
    "<svg><animate attributeName=onclick values=alert(1)>",
  ];
  for (const input of xss) {
    test(`XSS: ${JSON.stringify(input)}`, () => assert.equal(detectXSS(input), true));
  }

  const benign = [
    "",
    "hello world",
    "x=1&y=2",
    "a < b and c > d",
    "<b>bold</b> and <i>italic</i>",
    '<a href="https://example.com/?q=1">link</a>',
    '<img src="/logo.png" alt="logo">',
    "1 + 1 = 2",
    "java script is a language",
    // A lone XML declaration: Palisade's departure from libinjection (CRS test 933100-31, case B15).
    "<?xml version='1.0'?>",
    '<?xml version="1.0" encoding="UTF-8"?>',
    ' <?xml version="1.0" encoding="ISO-8859-1" standalone="yes" ?>\n',
  ];
  for (const input of benign) {
    test(`not XSS: ${JSON.stringify(input)}`, () => assert.equal(detectXSS(input), false));
  }

  test("never throws on any bytes, and answers the same twice", () => {
    const htmlish = fc
      .array(
        fc.constantFrom("<", ">", "/", "=", "'", '"', "`", " ", "a", "on", "src", "!--", "-->", "&#", "x", "\u0000"),
        {
          maxLength: 40,
        },
      )
      .map((p) => p.join(""));
    const byteString = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString("latin1"));
    fc.assert(
      fc.property(fc.oneof(htmlish, byteString), (input) => {
        assert.equal(detectXSS(input), detectXSS(input));
      }),
      { numRuns: 3000 },
    );
  });
});
