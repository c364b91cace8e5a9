import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Arg, MultipartFile, MultipartFlags, ParsedBody } from "./body-processor.js";
import { parseMultipart } from "./multipart.js";

const CT = "multipart/form-data; boundary=XyZ";
/** Lines joined with CRLF. */
const crlf = (...lines: string[]) => lines.join("\r\n");

interface Row {
  why: string;
  body: string;
  ct?: string;
  args?: Arg[];
  files?: MultipartFile[];
  error?: RegExp | null;
  flags?: Partial<MultipartFlags>;
  headers?: Record<string, string[]>;
}

const rows: Row[] = [
  {
    why: "text fields become ARGS in order",
    body: crlf(
      "--XyZ",
      'Content-Disposition: form-data; name="a"',
      "",
      "1",
      "--XyZ",
      'Content-Disposition: form-data; name="b"',
      "",
      "two\r\nlines",
      "--XyZ--",
      "",
    ),
    args: [
      ["a", "1"],
      ["b", "two\r\nlines"],
    ],
    flags: { strictError: false },
  },
  {
    why: "a file part is FILES, not ARGS",
    body: crlf(
      "--XyZ",
      'Content-Disposition: form-data; name="up"; filename="a.php"',
      "Content-Type: application/x-php",
      "",
      "<?php system($_GET[1]); ?>",
      "--XyZ--",
    ),
    args: [],
    files: [{ name: "up", filename: "a.php", size: 26 }],
    headers: { up: ['Content-Disposition: form-data; name="up"; filename="a.php"', "Content-Type: application/x-php"] },
  },
  {
    why: "an empty filename is still a file part",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="f"; filename=""', "", "", "--XyZ--"),
    files: [{ name: "f", filename: "", size: 0 }],
  },
  {
    why: "empty content; the delimiter may follow the empty line directly",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "--XyZ--"),
    args: [["a", ""]],
  },
  {
    why: "unquoted and single-quoted values; single quotes set invalidQuoting",
    body: crlf(
      "--XyZ",
      "Content-Disposition: form-data; name=a",
      "",
      "1",
      "--XyZ",
      "Content-Disposition: form-data; name='b'",
      "",
      "2",
      "--XyZ--",
    ),
    args: [
      ["a", "1"],
      ["b", "2"],
    ],
    flags: { invalidQuoting: true, strictError: true },
  },
  {
    why: "a quote inside a name sets invalidQuoting",
    body: crlf("--XyZ", `Content-Disposition: form-data; name="a'b"`, "", "1", "--XyZ--"),
    args: [["a'b", "1"]],
    flags: { invalidQuoting: true },
  },
  {
    why: "escaped quotes and backslashes in quoted values; other backslashes stay",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a\\"b"; filename="C:\\dir\\x.txt"', "", "", "--XyZ--"),
    files: [{ name: 'a"b', filename: "C:\\dir\\x.txt", size: 0 }],
  },
  {
    why: "LF-only lines parse and set lfLine",
    body: '--XyZ\nContent-Disposition: form-data; name="a"\n\n1\n--XyZ--\n',
    args: [["a", "1"]],
    flags: { lfLine: true, crlfLfLines: false, strictError: true },
  },
  {
    why: "mixed CRLF and LF lines set crlfLfLines",
    body: '--XyZ\r\nContent-Disposition: form-data; name="a"\n\r\n1\r\n--XyZ--',
    args: [["a", "1"]],
    flags: { lfLine: true, crlfLfLines: true },
  },
  {
    why: "bytes before the first boundary set dataBefore",
    body: crlf("preamble", "--XyZ", 'Content-Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    args: [["a", "1"]],
    flags: { dataBefore: true, strictError: true },
  },
  {
    why: "bytes after the last boundary set dataAfter",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "1", "--XyZ--", "epilogue"),
    args: [["a", "1"]],
    flags: { dataAfter: true, strictError: true },
  },
  {
    why: "folded headers join with a space and set headerFolding",
    body: crlf("--XyZ", "Content-Disposition: form-data;", ' name="a"', "", "1", "--XyZ--"),
    args: [["a", "1"]],
    flags: { headerFolding: true, invalidHeaderFolding: false, strictError: true },
    headers: { a: ['Content-Disposition: form-data; name="a"'] },
  },
  {
    why: "folding with a vertical tab sets invalidHeaderFolding",
    body: crlf("--XyZ", "Content-Disposition: form-data;", '\x0b name="a"', "", "1", "--XyZ--"),
    args: [["a", "1"]],
    flags: { headerFolding: true, invalidHeaderFolding: true },
  },
  {
    why: "a part without a name is skipped and sets invalidPart",
    body: crlf(
      "--XyZ",
      "Content-Disposition: form-data",
      "",
      "x",
      "--XyZ",
      'Content-Disposition: form-data; name="b"',
      "",
      "2",
      "--XyZ--",
    ),
    args: [["b", "2"]],
    flags: { invalidPart: true, strictError: true },
  },
  {
    why: "quoted boundary with whitespace and no semicolon before it",
    ct: 'multipart/form-data boundary = "XyZ"',
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    args: [["a", "1"]],
    flags: { boundaryQuoted: true, boundaryWhitespace: true, missingSemicolon: true, strictError: true },
  },
  {
    why: "parameters after the boundary in the Content-Type",
    ct: "multipart/form-data; boundary=XyZ; charset=utf-8",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    args: [["a", "1"]],
    flags: { strictError: false },
  },
  {
    why: "a boundary-shaped line that is not ours sets unmatchedBoundary",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "x", "--OtherBoundary", "y", "--XyZ--"),
    args: [["a", "x\r\n--OtherBoundary\r\ny"]],
    flags: { unmatchedBoundary: true, strictError: false },
  },
  {
    why: "an SQL comment line is not boundary-shaped",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="q"', "", "1", "-- drop table", "--XyZ--"),
    args: [["q", "1\r\n-- drop table"]],
    flags: { unmatchedBoundary: false },
  },
  {
    why: "the _charset_ part is a text field (CRS 922100 reads ARGS._charset_)",
    body: crlf("--XyZ", 'Content-Disposition: form-data; name="_charset_"', "", "utf-7", "--XyZ--"),
    args: [["_charset_", "utf-7"]],
    headers: { _charset_: ['Content-Disposition: form-data; name="_charset_"'] },
  },
  {
    why: "the last delimiter without a line ending",
    body: `${crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "1")}\r\n--XyZ--`,
    args: [["a", "1"]],
  },
  {
    why: "an empty body: no parts, no error",
    body: "",
    args: [],
    error: null,
  },
];

const errors: ReadonlyArray<readonly [why: string, body: string, error: RegExp, ct?: string]> = [
  ["no boundary parameter", "--XyZ\r\n", /Boundary not found/, "multipart/form-data"],
  [
    "two boundary parameters",
    "--XyZ\r\n",
    /Multiple boundary parameters/,
    "multipart/form-data; boundary=XyZ; boundary=Abc",
  ],
  ["an unterminated quoted boundary", "--XyZ\r\n", /\(quote\)/, 'multipart/form-data; boundary="XyZ'],
  ["a boundary over 70 bytes", "--x\r\n", /\(length\)/, `multipart/form-data; boundary=${"x".repeat(71)}`],
  ["a boundary with invalid characters", "--x\r\n", /\(characters\)/, "multipart/form-data; boundary=a<b"],
  ["no boundary in the body", "just text", /No boundaries found/],
  [
    "no closing delimiter",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "1"),
    /Final boundary missing/,
  ],
  [
    "junk after a delimiter",
    crlf("--XyZjunk", 'Content-Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    /Invalid boundary: --XyZjunk/,
  ],
  [
    "a part without Content-Disposition",
    crlf("--XyZ", "Content-Type: text/plain", "", "1", "--XyZ--"),
    /missing Content-Disposition/,
  ],
  ["a header without a colon", crlf("--XyZ", "Content-Disposition form-data", "", "1", "--XyZ--"), /colon missing/],
  [
    "a header name with a control byte (CRS 922130)",
    crlf("--XyZ", '\x0eContent-Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    /contains invalid character/,
  ],
  [
    "a header name with a space",
    crlf("--XyZ", 'Content- Disposition: form-data; name="a"', "", "1", "--XyZ--"),
    /contains invalid character/,
  ],
  [
    "a repeated header",
    crlf(
      "--XyZ",
      'Content-Disposition: form-data; name="a"',
      'Content-Disposition: form-data; name="b"',
      "",
      "1",
      "--XyZ--",
    ),
    /Duplicate part header/,
  ],
  ["folding before any header", crlf("--XyZ", " x", "", "1", "--XyZ--"), /folding error/],
  [
    "a disposition other than form-data",
    crlf("--XyZ", 'Content-Disposition: attachment; name="a"', "", "1", "--XyZ--"),
    /not form-data/,
  ],
  [
    "an unknown disposition parameter",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"; size=3', "", "1", "--XyZ--"),
    /unknown parameter size/,
  ],
  [
    "filename* (forbidden by RFC 7578)",
    crlf("--XyZ", "Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''x", "", "1", "--XyZ--"),
    /unknown parameter filename\*/,
  ],
  [
    "a repeated name",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"; name="b"', "", "1", "--XyZ--"),
    /repeated name/,
  ],
  [
    "parameters without a semicolon",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a" filename="b"', "", "1", "--XyZ--"),
    /';' expected/,
  ],
  [
    "an unterminated quoted value",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a', "", "1", "--XyZ--"),
    /unterminated/,
  ],
  [
    "the boundary in quotes inside the body",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", '--"XyZ"', "--XyZ--"),
    /\(quotes\)/,
    'multipart/form-data; boundary="XyZ"',
  ],
  [
    "the boundary after whitespace inside the body",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "-- XyZ", "--XyZ--"),
    /\(whitespace\)/,
  ],
  [
    "headers running into the next delimiter",
    crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "--XyZ--"),
    /not ended by an empty line/,
  ],
  [
    "a header line over 4096 bytes",
    crlf("--XyZ", `X-Long: ${"a".repeat(5000)}`, "", "1", "--XyZ--"),
    /over 4096 bytes/,
  ],
];

function check(parsed: ParsedBody, row: Row): void {
  const mp = parsed.multipart!;
  if (row.args) assert.deepEqual(parsed.args, row.args);
  if (row.files) {
    assert.deepEqual(mp.files, row.files);
    assert.equal(
      mp.filesCombinedSize,
      row.files.reduce((sum, f) => sum + f.size, 0),
    );
  }
  if (row.error === undefined || row.error === null) assert.equal(parsed.error, null);
  else assert.match(parsed.error ?? "", row.error);
  for (const [flag, value] of Object.entries(row.flags ?? {})) {
    assert.equal(mp.flags[flag as keyof MultipartFlags], value, flag);
  }
  for (const [name, lines] of Object.entries(row.headers ?? {})) {
    assert.deepEqual(mp.parts.find((p) => p.name === name)?.headers, lines);
  }
}

describe("MULTIPART body processor", () => {
  for (const row of rows) test(row.why, () => check(parseMultipart(row.body, row.ct ?? CT), row));

  for (const [why, body, error, ct] of errors) {
    test(`error: ${why}`, () => {
      const parsed = parseMultipart(body, ct ?? CT);
      assert.match(parsed.error ?? "", error);
      assert.equal(parsed.multipart?.flags.strictError, true, "an error sets MULTIPART_STRICT_ERROR");
    });
  }

  test("on an error, the parts before it and the failing part's header lines are kept", () => {
    const body = crlf(
      "--XyZ",
      'Content-Disposition: form-data; name="a"',
      "",
      "1",
      "--XyZ",
      '\x0eContent-Disposition: form-data; name="file"; filename="1.php"',
      "",
      "x",
      "--XyZ--",
    );
    const parsed = parseMultipart(body, CT);
    assert.deepEqual(parsed.args, [["a", "1"]]);
    assert.deepEqual(parsed.multipart?.parts[1]?.headers, [
      '\x0eContent-Disposition: form-data; name="file"; filename="1.php"',
    ]);
  });

  test("a missing final boundary keeps the last part's content", () => {
    const parsed = parseMultipart(crlf("--XyZ", 'Content-Disposition: form-data; name="a"', "", "<script>"), CT);
    assert.deepEqual(parsed.args, [["a", "<script>"]]);
    assert.match(parsed.error ?? "", /Final boundary missing/);
  });

  test("more file parts than maxFiles sets fileLimitExceeded and keeps listing them", () => {
    const part = (i: number) => [
      `--XyZ`,
      `Content-Disposition: form-data; name="f${i}"; filename="${i}.txt"`,
      "",
      "data",
    ];
    const body = crlf(...[0, 1, 2].flatMap(part), "--XyZ--");
    const parsed = parseMultipart(body, CT, { maxFiles: 2 });
    assert.equal(parsed.error, null);
    assert.equal(parsed.multipart?.files.length, 3);
    assert.equal(parsed.multipart?.flags.fileLimitExceeded, true);
    assert.equal(parsed.multipart?.flags.strictError, true);
    assert.equal(parseMultipart(body, CT, { maxFiles: 3 }).multipart?.flags.fileLimitExceeded, false);
  });

  test("more text parts than maxArgs is an error", () => {
    const part = (i: number) => [`--XyZ`, `Content-Disposition: form-data; name="a${i}"`, "", "v"];
    const parsed = parseMultipart(crlf(...[0, 1, 2].flatMap(part), "--XyZ--"), CT, { maxArgs: 2 });
    assert.equal(parsed.args.length, 2);
    assert.match(parsed.error ?? "", /more than 2 arguments/);
  });

  test("binary file content with CR, LF and NUL bytes is sized exactly", () => {
    const content = "\x00\r\n\r\n--X\xff\r";
    const body = crlf("--XyZ", 'Content-Disposition: form-data; name="b"; filename="b.bin"', "", content, "--XyZ--");
    assert.deepEqual(parseMultipart(body, CT).multipart?.files, [
      { name: "b", filename: "b.bin", size: content.length },
    ]);
  });
});
