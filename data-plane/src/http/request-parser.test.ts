// The strict request-head parser: what it reads, every refusal with its status and reason, its
// limits, and that any split of the bytes into chunks reads the same.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BodyKind, type RequestHead } from "./request-head.js";
import { INVALID, NEED_MORE, RequestHeadParser, type RequestLimits } from "./request-parser.js";

const LIMITS: RequestLimits = { maxHeaderBytes: 4096, maxRequestLineBytes: 1024, maxHeaders: 20 };

/** Parses `raw` in one chunk: the head, or `[status, reason]`. */
function parse(raw: string, limits = LIMITS): RequestHead | [number, string] | "incomplete" {
  const p = new RequestHeadParser(limits);
  const r = p.execute(Buffer.from(raw, "latin1"), 0);
  if (r === NEED_MORE) return "incomplete";
  if (r === INVALID) return [p.error!.status, p.error!.reason];
  return p.head!;
}

function head(raw: string): RequestHead {
  const h = parse(raw);
  assert.ok(typeof h === "object" && !Array.isArray(h), `${JSON.stringify(raw)} → ${JSON.stringify(h)}`);
  return h;
}

test("a head: request line, lazy fields (get, getAll, raw), node's header object", () => {
  const h = head(
    "GET /a/b?x=1&y HTTP/1.1\r\nHost: api.example.test\r\nX-Multi: a\r\nx-multi:  b \r\nCookie: c=1\r\ncookie: d=2\r\nUser-Agent: one\r\nUser-Agent: two\r\n\r\n",
  );
  assert.deepEqual([h.method, h.target, h.version, h.minor], ["GET", "/a/b?x=1&y", "1.1", 1]);
  assert.equal(h.size, 7);
  assert.equal(h.host, "api.example.test");
  assert.deepEqual(h.hosts, ["api.example.test"]);
  assert.equal(h.get("X-MULTI"), "a, b", "repeated lines joined (RFC 9110 §5.3)");
  assert.deepEqual(h.getAll("x-multi"), ["a", "b"], "OWS trimmed");
  assert.equal(h.count("cookie"), 2);
  assert.equal(h.get("absent"), undefined);
  assert.equal(h.nameAt(2), "x-multi", "names as received");
  assert.deepEqual(h.toObject(), {
    host: "api.example.test",
    "x-multi": "a, b",
    cookie: "c=1; d=2",
    "user-agent": "one",
  });
  assert.deepEqual(h.rawPairs().slice(0, 4), ["Host", "api.example.test", "X-Multi", "a"]);
  assert.deepEqual(
    [h.bodyKind, h.contentLength, h.keepAlive, h.expectContinue, h.upgrade],
    [BodyKind.None, null, true, false, false],
  );
});

test("framing, keep-alive, Expect and Upgrade are read from the fields", () => {
  const post = head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0012\r\nConnection: close\r\n\r\n");
  assert.deepEqual([post.bodyKind, post.contentLength, post.keepAlive], [BodyKind.Length, 12, false]);
  const zero = head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0 \r\n\r\n");
  assert.deepEqual([zero.bodyKind, zero.hasBody, zero.contentLength], [BodyKind.None, false, 0]);
  const chunked = head("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-Continue\r\n\r\n");
  assert.deepEqual([chunked.bodyKind, chunked.expectContinue], [BodyKind.Chunked, true]);
  const h10 = head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  assert.deepEqual([h10.version, h10.keepAlive, h10.hostCount], ["1.0", true, 0]);
  assert.equal(head("GET / HTTP/1.0\r\n\r\n").keepAlive, false, "HTTP/1.0 closes by default");
  assert.equal(head("GET / HTTP/1.0\r\nExpect: whatever\r\n\r\n").expectContinue, false, "Expect is HTTP/1.1's");
  const ws = head("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n");
  assert.deepEqual([ws.upgrade, ws.connectionNamesFields], [true, false]);
  assert.equal(
    head("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").upgrade,
    false,
    "needs Connection: upgrade",
  );
  assert.equal(head("GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Foo\r\n\r\n").connectionNamesFields, true);
  const two = head("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\nAuthorization: x\r\nauthorization: y\r\n\r\n");
  assert.deepEqual(
    [two.hostCount, two.authorizationCount, two.hosts],
    [2, 2, ["a", "b"]],
    "left to the proxy to refuse",
  );
  assert.equal(head("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").target, "/", "empty lines before the request line");
  assert.equal(head("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").target, "*", "the target form is the proxy's to judge");
  assert.equal(head("GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n").target, "http://a/x");
  assert.equal(head("GET / HTTP/1.1\r\nHost: a\r\nX: \x80\xff\r\nY:\r\n\r\n").get("x"), "\x80\xff", "obs-text, latin1");
});

test("every refusal: status and reason", () => {
  const cases: Array<[string, number, string]> = [
    ["get / HTTP/1.1\r\n\r\n", 400, "method_invalid"],
    ["FOO / HTTP/1.1\r\n\r\n", 400, "method_invalid"],
    [" GET / HTTP/1.1\r\n\r\n", 400, "method_invalid"],
    ["CONNECT a:80 HTTP/1.1\r\nHost: a:80\r\n\r\n", 501, "method_connect"],
    ["GET  / HTTP/1.1\r\n\r\n", 400, "target_invalid"],
    ["GET /a\tb HTTP/1.1\r\n\r\n", 400, "target_invalid"],
    ["GET /\x7f HTTP/1.1\r\n\r\n", 400, "target_invalid"],
    ["GET /\xe9 HTTP/1.1\r\n\r\n", 400, "target_invalid"],
    ["GET /\r\n\r\n", 400, "request_line_invalid"],
    ["GET / http/1.1\r\n\r\n", 400, "request_line_invalid"],
    ["GET / HTTP/1.1 \r\n\r\n", 400, "request_line_invalid"],
    ["GET / HTTP/11\r\n\r\n", 400, "request_line_invalid"],
    ["GET / HTTP/1.1\rX\n\r\n", 400, "bare_cr"],
    ["GET / HTTP/1.1\nHost: a\n\n", 400, "request_line_invalid"],
    ["GET / HTTP/2.0\r\n\r\n", 505, "version_unsupported"],
    ["GET / HTTP/0.9\r\n\r\n", 505, "version_unsupported"],
    ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "method_invalid"],
    ["GET / HTTP/1.2\r\n\r\n", 400, "version_unsupported"],
    ["GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "header_name_invalid"],
    ["GET / HTTP/1.1\r\n: a\r\n\r\n", 400, "header_name_invalid"],
    ["GET / HTTP/1.1\r\nUser Agent: x\r\n\r\n", 400, "header_name_invalid"],
    ["GET / HTTP/1.1\r\nX-\xc3\xa9: 1\r\n\r\n", 400, "header_name_invalid"],
    ["GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "header_name_invalid"],
    ["GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", 400, "header_value_invalid"],
    ["GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400, "header_value_invalid"],
    ["GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n", 400, "header_value_invalid"],
    ["GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400, "bare_cr"],
    ["GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n", 400, "bare_lf"],
    ["GET / HTTP/1.1\r\nX: a\r\n\n", 400, "bare_lf"],
    ["GET / HTTP/1.1\r\n\rX", 400, "bare_cr"],
    ["GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", 400, "obs_fold"],
    ["GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "obs_fold"],
    ["GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", 400, "obs_fold"],
    ["POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "cl_and_te"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n", 400, "cl_and_te"],
    ["POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 400, "cl_duplicate"],
    ["POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nContent-Length: 0x3\r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "te_not_chunked"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n", 400, "te_not_chunked"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400, "te_not_chunked"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "te_duplicate"],
    ["POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "te_http10"],
    ["POST / HTTP/1.1\r\nContent-Length: 3\t\r\n\r\n", 400, "cl_invalid"],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked \t\r\n\r\n", 400, "te_not_chunked"],
    ["TRACE / HTTP/1.1\r\nContent-Length: 3\r\n\r\n", 400, "body_not_allowed"],
    ["GET / HTTP/1.1\r\nExpect: 100-continue, x\r\n\r\n", 417, "expectation_unsupported"],
    ["GET / HTTP/1.1\r\nExpect:\r\n\r\n", 417, "expectation_unsupported"],
  ];
  for (const [raw, status, reason] of cases) assert.deepEqual(parse(raw), [status, reason], JSON.stringify(raw));
});

test("refusals come as early as the bytes allow (no wait for the end of the head)", () => {
  for (const raw of ["get ", "GET /\x01", "GET / HTTX", "GET / HTTP/1.1\r\nBad Name", "GET / HTTP/1.1\r\nX: \x00"]) {
    const r = parse(raw);
    assert.ok(Array.isArray(r), `${JSON.stringify(raw)} → ${JSON.stringify(r)}`);
  }
  assert.equal(parse("GET / HTTP/1.1\r\nX: a"), "incomplete");
});

test("limits: request line (414), head size and field count (431), at the boundary", () => {
  const line = (n: number) => `GET /${"a".repeat(n - "GET / HTTP/1.1\r\n".length)} HTTP/1.1\r\n`;
  assert.equal(line(1024).length, 1024);
  assert.equal(head(`${line(1024)}\r\n`).method, "GET");
  assert.deepEqual(parse(`${line(1025)}\r\n`), [414, "request_line_too_long"]);
  assert.deepEqual(parse(line(1025).slice(0, 1100)), [414, "request_line_too_long"], "also when incomplete");
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: v\r\n`).join("");
  assert.equal(head(`GET / HTTP/1.1\r\n${fields(20)}\r\n`).size, 20);
  assert.deepEqual(parse(`GET / HTTP/1.1\r\n${fields(21)}\r\n`), [431, "header_count_exceeded"]);
  const big = (n: number) => `GET / HTTP/1.1\r\nX: ${"v".repeat(n - "GET / HTTP/1.1\r\nX: \r\n\r\n".length)}\r\n\r\n`;
  assert.equal(big(4096).length, 4096);
  assert.equal(head(big(4096)).size, 1);
  assert.deepEqual(parse(big(4097)), [431, "header_section_too_large"]);
  assert.deepEqual(parse(big(8000).slice(0, 5000)), [431, "header_section_too_large"], "also when incomplete");
});

const tchar = fc.constantFrom(..."abcXYZ09-_!#$%&'*+.^`|~");
const token = fc.string({ unit: tchar, minLength: 1, maxLength: 12 });
const value = fc.string({ unit: fc.constantFrom(..."ab c\t=;,/\x80\xff0"), maxLength: 20 });
const request = fc
  .record({
    method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
    path: fc.string({ unit: fc.constantFrom(..."/abc%2F?=&.~"), maxLength: 30 }),
    fields: fc.array(fc.tuple(token, value), { maxLength: 12 }),
    minor: fc.constantFrom(0, 1),
    lead: fc.constantFrom("", "\r\n"),
  })
  .map(({ method, path, fields, minor, lead }) => {
    const lines = fields.map(([n, v]) => `${n}: ${v}\r\n`).join("");
    return `${lead}${method} /${path} HTTP/1.${minor}\r\n${lines}\r\n`;
  });

test("any split of the bytes into chunks reads the same head (property)", () => {
  fc.assert(
    fc.property(request, fc.array(fc.nat(), { maxLength: 6 }), (raw, cuts) => {
      const one = parse(raw);
      const bytes = Buffer.from(raw, "latin1");
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const p = new RequestHeadParser(LIMITS);
      let r = NEED_MORE;
      let prev = 0;
      for (const at of [...points, bytes.length]) {
        if (at <= prev && at !== bytes.length) continue;
        r = p.execute(bytes.subarray(prev, at), 0);
        prev = at;
        if (r !== NEED_MORE) break;
      }
      if (Array.isArray(one)) {
        assert.equal(r, INVALID);
        assert.deepEqual([p.error!.status, p.error!.reason], one);
        return;
      }
      assert.ok(typeof one === "object" && r >= 0, `${JSON.stringify(raw)}: ${r}`);
      const h = p.head!;
      assert.deepEqual(
        [h.method, h.target, h.minor, h.rawPairs(), h.bodyKind, h.keepAlive],
        [one.method, one.target, one.minor, one.rawPairs(), one.bodyKind, one.keepAlive],
      );
    }),
    { numRuns: 500 },
  );
});

test("a head spread over chunks: the position after it is in the last chunk; the next head follows", () => {
  const p = new RequestHeadParser(LIMITS);
  assert.equal(p.execute(Buffer.from("GET /one HTTP/1.1\r\nHo"), 0), NEED_MORE);
  assert.equal(p.started, true);
  const second = Buffer.from("st: a\r\n\r\nGET /two HTTP/1.1\r\n\r\n");
  const at = p.execute(second, 0);
  assert.equal(at, "st: a\r\n\r\n".length);
  assert.equal(p.head!.host, "a");
  p.reset();
  assert.equal(p.execute(second, at), second.length);
  assert.equal(p.head!.target, "/two");
});
