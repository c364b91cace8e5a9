/**
 * Requests for the differential and fuzz harnesses: every framing case of the test suites
 * (e2e 02-request-reading and 14-header-handling, the parser's own tables), and requests
 * generated with fast-check — valid ones, near misses in every part (method, separators, target,
 * version, line ends, field names and values, Host, framing, chunked bodies and trailers), and
 * random byte mutations of both.
 */
import fc from "fast-check";

/** One request as bytes, with a name for reports. */
export interface CorpusCase {
  readonly name: string;
  readonly bytes: Buffer;
}

const SMUGGLED = "GET /admin/users HTTP/1.1\r\nHost: api.example.test\r\nX-Smuggled: 1\r\n\r\n";
const CHUNKED_SMUGGLE = `44\r\n${SMUGGLED}\r\n0\r\n\r\n`;

function post(headers: string[], body = CHUNKED_SMUGGLE, version = "HTTP/1.1"): string {
  return `POST /api/orders ${version}\r\nHost: api.example.test\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`;
}

const GET = (target: string, extra = "") => `GET ${target} HTTP/1.1\r\nHost: api.example.test\r\n${extra}\r\n`;

/** The framing and reading cases the test suites send as raw bytes today, plus the parser's edge cases. */
export function fixedCases(): CorpusCase[] {
  const cases: Record<string, string> = {
    "plain GET": GET("/public/x"),
    "HTTP/1.0 without Host": "GET /public/h10 HTTP/1.0\r\n\r\n",
    "absolute-form": "GET http://API.example.test/public/h?q HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "absolute-form vs Host": "GET http://evil.test/public/h HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "absolute-form with userinfo": "GET http://u@api.example.test/public/h HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "asterisk-form": "OPTIONS * HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "authority-form CONNECT": "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n",
    "two Host lines": "GET /public/h HTTP/1.1\r\nHost: api.example.test\r\nHost: evil.test\r\n\r\n",
    "Host with userinfo": "GET /public/h HTTP/1.1\r\nHost: user@api.example.test\r\n\r\n",
    "Host with a space": "GET /public/h HTTP/1.1\r\nHost: api example\r\n\r\n",
    "Host with a bad port": "GET /public/h HTTP/1.1\r\nHost: api.example.test:99999\r\n\r\n",
    "HTTP/1.1 without Host": "GET /public/h HTTP/1.1\r\n\r\n",
    "HTTP/2.0 request line": "GET /public/h HTTP/2.0\r\nHost: api.example.test\r\n\r\n",
    "HTTP/0.9": "GET /public/h\r\n\r\n",
    "HTTP/1.2": "GET /public/h HTTP/1.2\r\nHost: api.example.test\r\n\r\n",
    "fragment in the target": "GET /public/h#x HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "two Authorization lines": GET("/api/x", "Authorization: Bearer a\r\nauthorization: Bearer b\r\n"),
    "CL then TE": post(["Content-Length: 4", "Transfer-Encoding: chunked"]),
    "TE then CL": post(["Transfer-Encoding: chunked", "Content-Length: 4"]),
    "CL 0 with TE": post(["Content-Length: 0", "Transfer-Encoding: chunked"]),
    "HTTP/1.0 with TE": post(["Transfer-Encoding: chunked"], CHUNKED_SMUGGLE, "HTTP/1.0"),
    "TE chunked<TAB> + CL": post(["Transfer-Encoding: chunked\t", "Content-Length: 60"]),
    "TE xchunked": post(["Transfer-Encoding: xchunked"]),
    "TE chunked, identity": post(["Transfer-Encoding: chunked, identity"]),
    "TE identity, chunked": post(["Transfer-Encoding: identity, chunked"]),
    "TE gzip, chunked": post(["Transfer-Encoding: gzip, chunked"]),
    "two TE lines": post(["Transfer-Encoding: gzip", "Transfer-Encoding: chunked"]),
    "two TE chunked lines": post(["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"]),
    "TE CHUNKED": post(["Transfer-Encoding: CHUNKED"]),
    "TE leading space + CL": post(["Transfer-Encoding:  chunked", "Content-Length: 60"]),
    "two CL, same value": post(["Content-Length: 3", "Content-Length: 3"], "abc"),
    "two CL, different values": post(["Content-Length: 3", "Content-Length: 70"], "abc"),
    "CL list": post(["Content-Length: 3, 3"], "abc"),
    "CL +3": post(["Content-Length: +3"], "abc"),
    "CL hex": post(["Content-Length: 0x3"], "abc"),
    "CL empty": post(["Content-Length: "], "abc"),
    "obs-fold in TE": post(["Transfer-Encoding: identity", " chunked"]),
    "obs-fold in another header": post(["X-Folded: a", " b"], ""),
    "bare LF line ends": "POST /api/orders HTTP/1.1\nHost: api.example.test\nContent-Length: 3\n\nabc",
    "bare CR in a value": GET("/public/x", "X-A: a\rb\r\n"),
    "TRACE with a body": "TRACE /api/orders HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 3\r\n\r\nabc",
    "GET with a smuggled body": `GET /api/items HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 68\r\n\r\n${SMUGGLED}`,
    "space in a field name": GET("/public/x", "User Agent: x\r\n"),
    "space before the colon": GET("/public/x", "Host2 : x\r\n"),
    "non-ASCII target": "GET /public/\xe9 HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "control byte in a value": GET("/public/x", "X-A: a\x01b\r\n"),
    "NUL in a value": GET("/public/x", "X-A: a\x00b\r\n"),
    "DEL in a value": GET("/public/x", "X-A: a\x7fb\r\n"),
    "obs-text in a value": GET("/public/x", "X-A: caf\xe9 \x80\xff\r\n"),
    "non-ASCII field name": GET("/public/x", "X-\xc3\xa9: 1\r\n"),
    "double space in the request line": "GET  /public/x HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "space after the version": "GET /public/x HTTP/1.1 \r\nHost: api.example.test\r\n\r\n",
    "lower-case method": "get /public/x HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "unknown method": "FOO /public/x HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "leading empty line": `\r\n${GET("/public/x")}`,
    "chunked body": post(["Transfer-Encoding: chunked"], "5\r\nhello\r\n0\r\n\r\n"),
    "chunked with extensions": post(["Transfer-Encoding: chunked"], '5;a=b;c="d e"\r\nhello\r\n0\r\n\r\n'),
    "chunked with trailers": post(["Transfer-Encoding: chunked"], "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
    "chunk size with a space": post(["Transfer-Encoding: chunked"], "5 \r\nhello\r\n0\r\n\r\n"),
    "chunk ext with spaces": post(["Transfer-Encoding: chunked"], "5; a = b\r\nhello\r\n0\r\n\r\n"),
    "chunk size 0x": post(["Transfer-Encoding: chunked"], "0x5\r\nhello\r\n0\r\n\r\n"),
    "chunk size negative": post(["Transfer-Encoding: chunked"], "-5\r\nhello\r\n0\r\n\r\n"),
    "chunk size overflow": post(["Transfer-Encoding: chunked"], "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
    "chunk data longer than declared": post(["Transfer-Encoding: chunked"], "5\r\nhelloXX\r\n0\r\n\r\n"),
    "chunk data with bare LF": post(["Transfer-Encoding: chunked"], "5\r\nhello\n0\r\n\r\n"),
    "malformed trailer": post(["Transfer-Encoding: chunked"], "5\r\nhello\r\n0\r\nX-T 1\r\n\r\n"),
    "chunked without the last chunk": post(["Transfer-Encoding: chunked"], "5\r\nhello\r\n"),
    "body shorter than CL": post(["Content-Length: 10"], "abc"),
    "Expect: 100-continue": post(["Content-Length: 3", "Expect: 100-continue"], "abc"),
    "Expect: other": post(["Content-Length: 3", "Expect: magic"], "abc"),
    "Expect: continue and more": post(["Content-Length: 3", "Expect: 100-continue, magic"], "abc"),
    "WebSocket upgrade": GET("/ws", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"),
    "upgrade with a body": post(["Connection: Upgrade", "Upgrade: h2c", "Content-Length: 3"], "abc"),
    "many fields": GET("/public/x", Array.from({ length: 60 }, (_, i) => `X-${i}: v\r\n`).join("")),
    "too many fields": GET("/public/x", Array.from({ length: 120 }, (_, i) => `X-${i}: v\r\n`).join("")),
    "large header section": GET("/public/x", `X-Big: ${"a".repeat(20_000)}\r\n`),
    "long request line": `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: api.example.test\r\n\r\n`,
  };
  return Object.entries(cases).map(([name, text]) => ({ name, bytes: Buffer.from(text, "latin1") }));
}

const pick = <T>(common: T[], rare: T[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...common), weight: 8 }, { arbitrary: fc.constantFrom(...rare), weight: 1 });

const METHOD = pick(
  ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"],
  ["TRACE", "get", "FOO", "CONNECT", "M-SEARCH", "PURGE", "", "G@T", "GET\t", "PRI"],
);
const SP = pick([" "], ["  ", "\t", "", " \t"]);
const PATH_UNIT = fc.constantFrom(
  ..."/abcXYZ019-._~!$&'()*+,;=:@%?/a/b/c".split(""),
  "%2F",
  "%00",
  "#",
  "\\",
  "|",
  "{",
  "\x7f",
  "\xe9",
  " ",
  "\t",
);
const TARGET = fc.oneof(
  { arbitrary: fc.string({ unit: PATH_UNIT, maxLength: 24 }).map((p) => `/${p}`), weight: 10 },
  {
    arbitrary: fc.constantFrom(
      "*",
      "http://api.example.test/x",
      "https://api.example.test:8443/y?q",
      "api.example.test:80",
      "",
      "x",
      "http://u@h/",
    ),
    weight: 1,
  },
);
const VERSION = pick(
  ["HTTP/1.1"],
  ["HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.1 ", "", "HTTP/11", "HTTP/1.1\t", "HTTP/3.0"],
);
const EOL = pick(["\r\n"], ["\n", "\r", "\r\r\n", "\n\r"]);
const NAME_UNIT = fc.constantFrom(..."abcXYZ-_0!#$%&'*+.^`|~".split(""), " ", "\t", "\xe9", "\x00", ":", "(");
const NAME = fc.oneof(
  {
    arbitrary: fc.constantFrom("X-Custom", "Accept", "User-Agent", "Cookie", "X-Forwarded-For", "Via", "X_User"),
    weight: 6,
  },
  { arbitrary: fc.string({ unit: NAME_UNIT, minLength: 0, maxLength: 10 }), weight: 2 },
);
const VALUE_UNIT = fc.constantFrom(
  ...'abc ABC09=;,/"\\'.split(""),
  "\t",
  "\x00",
  "\x01",
  "\x7f",
  "\x80",
  "\xff",
  "\r",
  "\n",
);
const VALUE = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(..."abcdefgh 0123=;,/".split("")), maxLength: 16 }), weight: 6 },
  { arbitrary: fc.string({ unit: VALUE_UNIT, maxLength: 12 }), weight: 2 },
);
const SEP = pick([": ", ":"], [" : ", ":  ", ":\t", " :"]);
const FIELD = fc.record({ name: NAME, sep: SEP, value: VALUE, eol: EOL, fold: pick([false], [true]) });
const HOST = pick(
  [["Host: api.example.test"]],
  [
    [],
    ["Host: api.example.test", "Host: evil.test"],
    ["Host: user@a.test"],
    ["Host: a test"],
    ["Host: a.test:99999"],
    ["Host: [::1]:80"],
    ["Host:"],
    ["host: API.Example.Test."],
  ],
);
const EXTRA = pick(
  [[] as string[]],
  [
    ["Authorization: Bearer a", "Authorization: Bearer b"],
    ["Expect: 100-continue"],
    ["Expect: magic"],
    ["Connection: close"],
    ["Connection: keep-alive"],
    ["Connection: Upgrade", "Upgrade: websocket"],
    ["Connection: close, X-Custom"],
  ],
);
const BODY = fc.string({ unit: fc.constantFrom(..."abc\r\n0;".split("")), maxLength: 30 });
const CHUNK_EXT = pick([""], [";a", ";a=b", ';a="q r"', " ", "; a=b", ";", ";a=\x01", " ;a", ';a="\n"']);
const FRAMING = fc.oneof(
  { arbitrary: fc.constant({ kind: "none" as const }), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant("cl" as const),
      delta: pick([0], [-1, 1, 5]),
      spelling: pick(["n"], ["+n", "0n", "n, n", "n n", "0x", ""]),
      dup: pick([false], [true]),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("te" as const),
      te: pick(["chunked"], ["CHUNKED", "gzip, chunked", "chunked, identity", "xchunked", "chunked ", "identity"]),
      ext: CHUNK_EXT,
      sizeDelta: pick([0], [-1, 1]),
      sizeCase: pick(["lower"], ["upper", "pad", "space"]),
      trailer: pick([""], ["X-T: 1\r\n", "Bad Trailer\r\n", " X: 1\r\n"]),
      last: pick([true], [false]),
      withCl: pick([false], [true]),
    }),
    weight: 4,
  },
);

const REQUEST = fc.record({
  lead: pick([""], ["\r\n", "\n", " "]),
  method: METHOD,
  sp1: SP,
  target: TARGET,
  sp2: SP,
  version: VERSION,
  eol: EOL,
  host: HOST,
  fields: fc.array(FIELD, { maxLength: 6 }),
  extra: EXTRA,
  framing: FRAMING,
  body: BODY,
});

type Req = typeof REQUEST extends fc.Arbitrary<infer T> ? T : never;

function hexSize(n: number, how: string): string {
  const h = Math.max(0, n).toString(16);
  return how === "upper" ? h.toUpperCase() : how === "pad" ? `00${h}` : how === "space" ? `${h} ` : h;
}

/** Serializes a generated request (bodies framed as the framing part says, right or wrong). */
function serialize(r: Req): string {
  const lines = [...r.host, ...r.extra];
  let body = r.body;
  const f = r.framing;
  if (f.kind === "cl") {
    const n = String(body.length + f.delta);
    const v = f.spelling.replaceAll("n", n).replace("0x", `0x${body.length}`);
    lines.push(`Content-Length: ${v}`);
    if (f.dup) lines.push(`Content-Length: ${v}`);
  } else if (f.kind === "te") {
    lines.push(`Transfer-Encoding: ${f.te}`);
    if (f.withCl) lines.push(`Content-Length: ${body.length}`);
    const chunks =
      body.length === 0 ? [] : [body.slice(0, Math.ceil(body.length / 2)), body.slice(Math.ceil(body.length / 2))];
    body =
      chunks
        .filter((c) => c.length > 0)
        .map((c) => `${hexSize(c.length + f.sizeDelta, f.sizeCase)}${f.ext}\r\n${c}\r\n`)
        .join("") + (f.last ? `0${f.ext}\r\n${f.trailer}\r\n` : "");
  }
  let head = `${r.lead}${r.method}${r.sp1}${r.target}${r.sp2}${r.version}${r.eol}`;
  for (const l of lines) head += `${l}\r\n`;
  for (const x of r.fields) head += `${x.fold ? " " : ""}${x.name}${x.sep}${x.value}${x.eol}`;
  return `${head}${r.eol}${body}`;
}

/** A byte-level mutation: insert, delete or replace one byte at a position. */
const MUTATION = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("insert", "delete", "replace"),
  byte: fc.oneof(
    fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x00, 0x3a, 0x3b, 0x30, 0x7f, 0xff),
    fc.integer({ min: 0, max: 255 }),
  ),
});

/** A generated case: a request, mutated one time in four. */
export const CASE: fc.Arbitrary<string> = fc.tuple(REQUEST, fc.option(MUTATION, { freq: 3 })).map(([r, m]) => {
  const text = serialize(r);
  if (m === null) return text;
  const at = m.at % (text.length + 1);
  const ch = String.fromCharCode(m.byte);
  if (m.op === "insert") return text.slice(0, at) + ch + text.slice(at);
  if (m.op === "delete") return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + ch + text.slice(at + 1);
});

/** `n` generated cases from `seed` (deterministic). */
export function generatedCases(n: number, seed: number): CorpusCase[] {
  return fc
    .sample(CASE, { numRuns: n, seed })
    .map((text, i) => ({ name: `generated #${i}`, bytes: Buffer.from(text, "latin1") }));
}
