/**
 * Every request gets an HTTP answer (issue 13 point 4), end to end on a real node (one worker)
 * synced from a real control plane: requests go out byte for byte on raw sockets, a recording
 * upstream reports what it read off its own sockets (and on which connection), and a broken
 * upstream answers with framing faults.
 *
 * - CONNECT (authority form) is answered 501 with Palisade's JSON error and `Connection: close`.
 * - A framing error found after the head (a bad chunk size, chunk data longer than declared, a bad
 *   trailer) is answered 400 with `Connection: close`; the upstream exchange that had started is
 *   aborted (the upstream never reads a complete request) and its connection is never reused.
 * - An upstream answer that breaks framing is a 502 `UPSTREAM_BAD_RESPONSE`, never a silent close.
 * - Pipelined `GET a`, `GET b`, then a malformed request: a and b are answered in order, then the
 *   refusal; the upstream receives a then b.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ControlPlaneProcess, DataPlaneProcess } from "./harness/fleet.js";
import { rawRequest, sendRaw, streamRaw } from "./harness/raw-client.js";
import { RawRecordingUpstream } from "./harness/raw-upstream.js";

const HOST: [string, string] = ["Host", "api.example.test"];

/** Answers each request with the broken response its path names (one request per connection). */
const BROKEN: Record<string, string> = {
  "/broken/204-with-body": "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
  "/broken/cl-and-te":
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  "/broken/status-line": "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok",
  "/broken/chunk-size": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
  "/broken/not-http": "SSH-2.0-OpenSSH_9.2\r\n",
};

function brokenUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((s: Socket) => {
    let head = "";
    s.on("error", () => {});
    s.on("data", (c: Buffer) => {
      head += c.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const target = head.split(" ")[1] ?? "";
      s.end(BROKEN[target] ?? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })),
  );
}

describe("every request gets an HTTP answer (issue 13 point 4)", () => {
  let up: RawRecordingUpstream;
  let broken: { server: Server; port: number };
  let cp: ControlPlaneProcess;
  let dp: DataPlaneProcess;

  before(async () => {
    up = await new RawRecordingUpstream("answered-upstream").start();
    broken = await brokenUpstream();
    cp = await new ControlPlaneProcess().start();
    await cp.ok("POST", "/v1/upstreams", { name: "app", targets: [{ host: "127.0.0.1", port: up.port }] });
    await cp.ok("POST", "/v1/upstreams", {
      name: "broken",
      targets: [{ host: "127.0.0.1", port: broken.port }],
      retries: { max_retries: 0 },
    });
    await cp.ok("POST", "/v1/routes", { name: "app", paths: ["/"], upstream: "app" });
    await cp.ok("POST", "/v1/routes", { name: "broken", paths: ["/broken"], upstream: "broken" });
    const v = await cp.ok("POST", "/v1/config/versions", { message: "every request answered" });
    dp = await new DataPlaneProcess("node-answers", cp.syncPort).start();
    await cp.waitForNodes([dp.nodeId], v.version);
  });

  after(async () => {
    await dp?.stop();
    await cp?.destroy();
    await up?.stop();
    await new Promise<void>((r) => broken?.server.close(() => r()));
  });

  test("CONNECT (authority form) is answered 501 with the JSON error and Connection: close", async () => {
    up.clear();
    const r = await sendRaw(dp.proxyPort, "CONNECT api.example.test:80 HTTP/1.1\r\nHost: api.example.test:80\r\n\r\n");
    assert.equal(r.responses.length, 1, r.bytes.toString("latin1"));
    const a = r.responses[0]!;
    assert.equal(a.status, 501);
    assert.equal(a.headers["content-type"], "application/json");
    assert.equal(a.headers.connection, "close");
    assert.equal(a.json().error.code, "NOT_IMPLEMENTED");
    assert.ok(r.closed, "the connection closes after the answer");
    assert.equal(up.requests.length, 0);
  });

  test("a framing error after the head: 400 + close, the upstream exchange aborted, its connection never reused", async () => {
    for (const [what, tail] of [
      ["a bad chunk size", "zz\r\nmore\r\n0\r\n\r\n"],
      ["chunk data longer than declared", "3\r\nabcdef\r\n0\r\n\r\n"],
      ["a malformed trailer", "0\r\nBad Trailer\r\n\r\n"],
    ] as const) {
      up.clear();
      const head = rawRequest("POST", `/upload/${what.replaceAll(" ", "-")}`, [HOST, ["Transfer-Encoding", "chunked"]]);
      // The first chunk is valid, so the upstream exchange has started when the fault arrives.
      const r = await streamRaw(dp.proxyPort, head, ["5\r\nhello\r\n", tail]);
      assert.equal(r.responses.length, 1, `${what}: ${r.bytes.toString("latin1")}`);
      const a = r.responses[0]!;
      assert.equal(a.status, 400, what);
      assert.equal(a.json().error.code, "BAD_REQUEST", what);
      assert.equal(a.headers.connection, "close", what);
      assert.ok(r.closed, `${what}: closed`);
      const seen = up.requests.filter((q) => q.target.startsWith("/upload/"));
      assert.ok(
        seen.every((q) => !q.complete),
        `${what}: the upstream never read a complete request`,
      );
      // The next request goes upstream on a connection of its own.
      const next = await sendRaw(dp.proxyPort, rawRequest("GET", "/after", [HOST]), { responses: 1 });
      assert.equal(next.responses[0]?.status, 200, what);
      const after = up.requests.at(-1)!;
      assert.equal(after.target, "/after");
      for (const q of seen) assert.notEqual(after.connection, q.connection, `${what}: that connection was reused`);
    }
  });

  test("an upstream answer that breaks framing is a 502 UPSTREAM_BAD_RESPONSE, never a silent close", async () => {
    for (const path of Object.keys(BROKEN)) {
      const r = await sendRaw(dp.proxyPort, rawRequest("GET", path, [HOST]), { responses: 1 });
      assert.equal(r.responses.length, 1, `${path}: ${JSON.stringify(r.bytes.toString("latin1").slice(0, 200))}`);
      const a = r.responses[0]!;
      assert.equal(a.status, 502, path);
      assert.equal(a.json().error.code, "UPSTREAM_BAD_RESPONSE", path);
      assert.doesNotMatch(a.text, /hello|SSH/, `${path}: nothing of the broken answer reaches the client`);
    }
    const ok = await sendRaw(dp.proxyPort, rawRequest("GET", "/still-fine", [HOST]), { responses: 1 });
    assert.equal(ok.responses[0]?.status, 200, "the node is unharmed");
  });

  test("pipelined GET a, GET b, then a malformed request: a and b answered in order, then the refusal", async () => {
    up.clear();
    const r = await sendRaw(dp.proxyPort, [
      rawRequest("GET", "/pipe/a", [HOST]),
      rawRequest("GET", "/pipe/b", [HOST]),
      "GET /pipe/c HTTP/1.1\r\nHost: api.example.test\r\nBad Header\r\n\r\n",
    ]);
    assert.deepEqual(
      r.responses.map((a) => a.status),
      [200, 200, 400],
      r.bytes.toString("latin1"),
    );
    assert.match(r.responses[0]!.text, /"target":"\/pipe\/a"/);
    assert.match(r.responses[1]!.text, /"target":"\/pipe\/b"/);
    assert.equal(r.responses[2]!.json().error.code, "BAD_REQUEST");
    assert.equal(r.responses[2]!.headers.connection, "close");
    assert.ok(r.closed);
    assert.deepEqual(
      up.requests.map((q) => q.target),
      ["/pipe/a", "/pipe/b"],
      "the upstream receives a then b, and nothing of the malformed request",
    );
  });
});
