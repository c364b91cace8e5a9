#!/usr/bin/env node
// Micro-benchmark: the data plane's own HTTP/1.1 engine (data-plane/src/http/) on the work a proxy
// does per request in HTTP terms — read the client's request head (and a 100-byte JSON body),
// write the upstream request head (the client's fields copied as bytes, the forwarding headers
// added), read the upstream's response head and body, write the client's response head — for a
// typical proxied GET and a 100-byte JSON POST, in ns per request. Beside it, node's own llhttp
// parser (the one node:http uses, through process.binding("http_parser"), reused across
// messages as node:http reuses it per connection) reading the same bytes: it builds every header
// string, so the engine is shown both reading lazily and materializing every field as node does.
// In-process, single thread, no sockets (the response is written to a sink). Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/http-parse.mjs [--ms 2000]
import { parseArgs } from "node:util";
import { BodyDecoder } from "../../data-plane/dist/http/body-decoder.js";
import { FieldNameSet } from "../../data-plane/dist/http/bytes.js";
import { selectForwarded } from "../../data-plane/dist/http/field-copy.js";
import { RequestHeadParser } from "../../data-plane/dist/http/request-parser.js";
import { serializeRequestHead } from "../../data-plane/dist/http/request-serializer.js";
import { ResponseHeadParser } from "../../data-plane/dist/http/response-parser.js";
import { ResponseWriter } from "../../data-plane/dist/http/response-writer.js";
import { HOP_BY_HOP } from "../../data-plane/dist/proxy/hop-by-hop.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "2000" } } });
const budgetMs = Number(values.ms);

const TOKEN = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.${"eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6NDEwMjQ0NDgwMH0".repeat(2)}.${"sig".repeat(40)}`;
const COMMON =
  "Host: api.example.com\r\n" +
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
  "Accept: application/json\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n" +
  `Authorization: Bearer ${TOKEN}\r\nX-Request-Id: 7f3e2a91-4c1d-4f6b-9e0a-2b8c5d7e9f10\r\nConnection: keep-alive\r\n`;
const JSON_100 = `{"id":12345,"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"note":"${"x".repeat(24)}"}`;
if (Buffer.byteLength(JSON_100) !== 100) throw new Error(`body is ${Buffer.byteLength(JSON_100)} bytes`);
const GET = Buffer.from(`GET /api/v1/orders/12345?expand=items HTTP/1.1\r\n${COMMON}\r\n`, "latin1");
const POST = Buffer.from(
  `POST /api/v1/orders HTTP/1.1\r\n${COMMON}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n${JSON_100}`,
  "latin1",
);
const RESPONSE = Buffer.from(
  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 07 Dec 2026 10:00:00 GMT\r\nContent-Type: application/json\r\n" +
    `Content-Length: 100\r\nConnection: keep-alive\r\n\r\n${JSON_100}`,
  "latin1",
);

const LIMITS = { maxHeaderBytes: 32_768, maxRequestLineBytes: 32_768, maxHeaders: 100 };
// What a proxy does not forward (hop-by-hop, RFC 9110 §7.6.1) or sets itself: compiled once.
const REQUEST_DROP = new FieldNameSet([
  ...HOP_BY_HOP,
  "host",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-real-ip",
  "x-request-id",
  "via",
]);
const RESPONSE_DROP = new FieldNameSet([...HOP_BY_HOP, "via", "x-request-id"]);

const sink = {
  write: () => true,
  cork() {},
  uncork() {},
  destroyed: false,
  writableNeedDrain: false,
  destroySoon() {},
};
const owner = {
  socket: sink,
  draining: false,
  keepAliveLines: "connection: keep-alive\r\nkeep-alive: timeout=5\r\n",
  responseEnded() {},
};
const reqParser = new RequestHeadParser(LIMITS);
const resParser = new ResponseHeadParser();
const decoder = new BodyDecoder(LIMITS.maxHeaderBytes, LIMITS.maxHeaders);
const bodySink = { onBodyData: () => true };
let sinkLen = 0;

function readRequest(bytes) {
  reqParser.reset();
  const at = reqParser.execute(bytes, 0);
  const head = reqParser.head;
  if (head.hasBody) {
    decoder.reset(head.bodyKind, head.contentLength);
    decoder.decode(bytes, at, bytes.length, bodySink);
  }
  return head;
}

/** One proxied exchange in HTTP terms (what the engine does per request, sockets aside). */
function exchange(bytes) {
  const head = readRequest(bytes);
  const upstreamHead = serializeRequestHead({
    method: head.method,
    path: head.target,
    headers: {
      host: "10.0.0.7:8080",
      "x-forwarded-for": "203.0.113.50",
      "x-real-ip": "203.0.113.50",
      forwarded: "for=203.0.113.50;host=api.example.com;proto=http",
      via: "1.1 palisade",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "api.example.com",
      "x-forwarded-port": "8000",
      "x-request-id": "7f3e2a91-4c1d-4f6b-9e0a-2b8c5d7e9f10",
    },
    forward: selectForwarded(head, REQUEST_DROP, null),
    bodyLength: head.contentLength ?? 0,
    upgrade: null,
  });
  resParser.expect(false, false);
  const at = resParser.execute(RESPONSE, 0);
  const res = resParser.head;
  decoder.reset(res.bodyKind, res.contentLength);
  let body = null;
  decoder.decode(RESPONSE, at, RESPONSE.length, {
    onBodyData(d) {
      body = d;
      return true;
    },
  });
  const w = new ResponseWriter(owner, head.method, head.minor, head.keepAlive);
  w.writeHead(
    200,
    { via: "1.1 nginx, 1.1 palisade", "x-request-id": "7f3e2a91-4c1d-4f6b-9e0a-2b8c5d7e9f10" },
    {
      contentLength: res.contentLength,
      forward: res,
      drop: RESPONSE_DROP,
    },
  );
  w.end(body);
  sinkLen += upstreamHead.length;
}

// node's llhttp, as node:http drives it (one parser per connection, reused per message).
const { HTTPParser } = process.binding("http_parser");
function llhttp(kind) {
  const p = new HTTPParser();
  p.initialize(kind, {}, 0, 0);
  p[HTTPParser.kOnHeadersComplete] = () => 0;
  p[HTTPParser.kOnBody] = () => {};
  p[HTTPParser.kOnMessageComplete] = () => {};
  return p;
}
const nodeReq = llhttp(HTTPParser.REQUEST);
const nodeRes = llhttp(HTTPParser.RESPONSE);

/** Calls `fn()` for about budgetMs; returns ns per call. */
function measure(fn) {
  for (let i = 0; i < 50_000; i++) fn(); // warm-up (JIT)
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  return ((now - start) * 1e6) / n;
}

const rows = [
  ["GET head read (engine, lazy fields)", measure(() => readRequest(GET))],
  ["GET head read + every field as strings (engine)", measure(() => readRequest(GET).rawPairs())],
  ["GET head read (node llhttp, header strings built)", measure(() => nodeReq.execute(GET))],
  ["POST head + 100-byte body read (engine, lazy fields)", measure(() => readRequest(POST))],
  ["POST head + 100-byte body read (node llhttp)", measure(() => nodeReq.execute(POST))],
  [
    "upstream response head + 100-byte body read (engine)",
    measure(() => {
      resParser.expect(false, false);
      const at = resParser.execute(RESPONSE, 0);
      decoder.reset(resParser.head.bodyKind, resParser.head.contentLength);
      decoder.decode(RESPONSE, at, RESPONSE.length, bodySink);
    }),
  ],
  ["upstream response head + 100-byte body read (node llhttp)", measure(() => nodeRes.execute(RESPONSE))],
  ["proxied GET: read + upstream head + read answer + client head (engine)", measure(() => exchange(GET))],
  ["proxied 100-byte JSON POST: the same (engine)", measure(() => exchange(POST))],
];

console.log(`request ${GET.length} B (GET), ${POST.length} B (POST); response ${RESPONSE.length} B`);
console.log("| work per request | ns |");
console.log("| --- | ---: |");
for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} |`);
if (sinkLen < 0) console.log(sinkLen);
