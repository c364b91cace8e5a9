// The access log's two formats as a log shipper reads them: ECS JSON that parses with the
// ecs-pino-format field names, and Combined Log Format that Apache's own parsers accept, with the
// Referer's query (it may hold a token) cut and quotes escaped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AccessFacts, AccessLog } from "./access-log.js";

const facts: AccessFacts = {
  requestId: "req-1",
  method: "POST",
  httpVersion: "1.1",
  logPath: "/api/items",
  status: 201,
  routeId: "r1",
  upstreamId: "u1",
  consumerId: "alice",
  clientAddress: "203.0.113.7",
  traceId: "0af7651916cd43dd8448eb211c80319c",
  durationMs: 1.5,
  requestBytes: 12,
  responseBytes: 345,
  errorCode: undefined,
  referer: "https://app.example.com/page?access_token=SECRET-REFERER",
  userAgent: 'curl/8.5 "quoted"',
};

test("Combined Log Format: Apache's fields, the consumer as user, no query in the Referer", async () => {
  const log = new AccessLog({
    format: "clf",
    file: null,
    sampleRatio: 1,
    rotateBytes: 1 << 20,
    maxFiles: 1,
    node: "n",
  });
  const line = log.clfLine(facts, Date.UTC(2026, 9, 10, 13, 55, 36));
  assert.equal(
    line,
    '203.0.113.7 - alice [10/Oct/2026:13:55:36 +0000] "POST /api/items HTTP/1.1" 201 345 "https://app.example.com/page" "curl/8.5 \\"quoted\\""\n',
  );
  await log.close();
});

test("ECS JSON: one object per line with ecs-pino-format's field names", async () => {
  const log = new AccessLog({
    format: "ecs",
    file: null,
    sampleRatio: 1,
    rotateBytes: 1 << 20,
    maxFiles: 1,
    node: "n",
  });
  const doc = JSON.parse(log.ecsLine({ ...facts, logPath: '/a"b' }, Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
  assert.equal(doc["@timestamp"], "2026-01-02T03:04:05.006Z");
  assert.equal(doc["log.level"], "info");
  assert.equal(doc["ecs.version"], "8.10.0");
  assert.equal(doc.http.request.method, "POST");
  assert.equal(doc.http.request.body.bytes, 12);
  assert.equal(doc.http.response.status_code, 201);
  assert.equal(doc.url.path, '/a"b');
  assert.equal(doc.user.id, "alice");
  assert.equal(doc.event.duration, 1_500_000);
  assert.equal(doc.trace.id, facts.traceId);
  assert.equal(JSON.stringify(doc).includes("SECRET-REFERER"), false);
  await log.close();
});
