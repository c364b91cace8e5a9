import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { utf8Bytes } from "../bytes.js";
import type { Arg } from "./body-processor.js";
import { parseXml } from "./xml.js";

const rows: ReadonlyArray<readonly [body: string, text: string, attributes: Arg[], why: string]> = [
  ["<a>hello</a>", "hello", [], "root text is XML:/*"],
  [
    '<?xml version="1.0"?><root><a probe="x">1</a><b>2<c>3</c>4</b></root>',
    "1234",
    [["probe", "x"]],
    "text of every descendant, in document order",
  ],
  [
    '<r a="1" b=\'2\'><s c="3"/></r>',
    "",
    [
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ],
    "XML://@*: every attribute in document order",
  ],
  ['<r xmlns="urn:x" xmlns:p="urn:p" p:a="1"/>', "", [["p:a", "1"]], "namespace declarations are not attributes"],
  ["<a>&lt;script&gt;&amp;&apos;&quot;</a>", "<script>&'\"", [], "predefined entities"],
  ["<a>&#60;&#x3c;&#233;&#x1F600;</a>", `<<${utf8Bytes("é😀")}`, [], "character references become UTF-8"],
  [
    '<a p="&#10;POST / HTTP/1.1"/>',
    "",
    [["p", "\nPOST / HTTP/1.1"]],
    "a character reference in an attribute is kept as is (CRS 921110)",
  ],
  ['<a p="x\ty\r\nz\nw"/>', "", [["p", "x y z w"]], "literal TAB, CR LF and LF in attribute values become spaces"],
  ["<a>x\r\ny\rz</a>", "x\ny\nz", [], "line ends are normalised to LF"],
  ["<a><![CDATA[<script>&lt;]]></a>", "<script>&lt;", [], "CDATA is text, not parsed"],
  ["<a>1<!-- c --><?pi x?>2</a>", "12", [], "comments and PIs are not text"],
  ["<!-- before --><?pi?>\n<a>x</a>\n<!-- after -->", "x", [], "misc around the root"],
  ["<a>\n  <b>x</b>\n</a>", "\n  x\n", [], "whitespace text nodes count"],
  [
    '<!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>',
    "&e;",
    [],
    "a DOCTYPE is skipped and its entities never expanded",
  ],
  ['<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>x</a>', "x", [], "an external DTD is never loaded"],
  [`\xef\xbb\xbf<a>${utf8Bytes("ü")}</a>`, utf8Bytes("ü"), [], "a UTF-8 byte-order mark"],
  ["<a:b xmlns:a='urn:a'><a:c>x</a:c></a:b>", "x", [], "prefixed names"],
  ['<a b = "1" ></a >', "", [["b", "1"]], "whitespace inside tags"],
];

describe("XML body processor", () => {
  for (const [body, text, attributes, why] of rows) {
    test(why, () => {
      const parsed = parseXml(body);
      assert.equal(parsed.error, null);
      assert.deepEqual(parsed.args, []);
      assert.equal(parsed.xml?.text, text);
      assert.deepEqual(parsed.xml?.attributes, attributes);
    });
  }

  test("the element tree", () => {
    const root = parseXml('<r k="v">a<c>b</c>d</r>').xml?.root;
    assert.deepEqual(root, {
      name: "r",
      attributes: [["k", "v"]],
      children: ["a", { name: "c", attributes: [], children: ["b"] }, "d"],
    });
  });

  test("an empty body: nothing, no error", () => assert.deepEqual(parseXml(""), { args: [], error: null }));

  const invalid: ReadonlyArray<readonly [body: string, reason: RegExp, why: string]> = [
    ["<a>", /element a not closed/, "an unclosed element"],
    ["<a></b>", /does not match/, "a mismatched end tag"],
    ["<a/><b/>", /content after the root/, "two roots"],
    ["text", /root element expected/, "no element"],
    ["   ", /root element expected/, "whitespace only"],
    ['<a x="1" x="2"/>', /attribute x repeated/, "a repeated attribute"],
    ['<a x="<"/>', /'<' in an attribute value/, "< in an attribute value"],
    ["<a x=1/>", /quoted attribute value expected/, "an unquoted attribute"],
    ['<a x="1"y="2"/>', /whitespace expected/, "attributes without whitespace between them"],
    ["<a>&foo;</a>", /entity 'foo' not defined/, "an undefined entity without a DOCTYPE"],
    ["<a>& b</a>", /unterminated reference|name expected/, "a bare &"],
    ["<a>&#0;</a>", /invalid character reference/, "a reference to NUL"],
    ["<a>&#xD800;</a>", /invalid character reference/, "a reference to a surrogate"],
    ["<a>x\x01</a>", /control character/, "a raw control byte"],
    ["<a>]]></a>", /']]>' in text/, "]]> in text"],
    ["<a><!-- x -- y --></a>", /'--' inside a comment/, "-- inside a comment"],
    ["<a><!DOCTYPE x></a>", /markup declaration/, "a DOCTYPE inside an element"],
    ['<a/><?xml version="1.0"?>', /XML declaration not at the start/, "an XML declaration after the root"],
    ["\xff\xfe<\x00a\x00/\x00>\x00", /UTF-16/, "UTF-16 is refused"],
    ["<a><![CDATA[x</a>", /unterminated CDATA/, "an unterminated CDATA section"],
    ["<1a/>", /name expected/, "a name starting with a digit"],
  ];
  for (const [body, reason, why] of invalid) {
    test(`invalid: ${why}`, () => {
      const parsed = parseXml(body);
      assert.match(parsed.error ?? "", /^XML parsing error: /);
      assert.match(parsed.error ?? "", reason);
      assert.equal(parsed.xml, undefined);
    });
  }

  test("nesting deeper than maxDepth is an error; the default is libxml2's 256", () => {
    const nest = (d: number) => `${"<a>".repeat(d)}${"</a>".repeat(d)}`;
    assert.equal(parseXml(nest(256)).error, null);
    assert.match(parseXml(nest(257)).error ?? "", /nesting deeper than 256/);
    assert.match(parseXml(nest(4), { maxDepth: 3 }).error ?? "", /nesting deeper than 3/);
    assert.match(parseXml(nest(100_000)).error ?? "", /nesting deeper than 256/);
  });

  test("entity expansion attacks stay linear: nothing is expanded", () => {
    const lol = `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`).join("")}]><lolz>&lol9;</lolz>`;
    assert.equal(parseXml(lol).xml?.text, "&lol9;");
  });
});
