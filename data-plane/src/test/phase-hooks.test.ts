// Multi-module test of the policy contract through the real request loop, with reference policies
// of the kinds the loop must carry without changing (as Pingora's tests/utils do): one that
// inspects request bodies before any byte goes upstream (as a WAF does), one that inspects
// response bodies before any byte reaches the client, and a node-wide recorder that gets one
// record per finished exchange (as the anomaly detector's does).
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { HeadersPolicySchema, type Policy as PolicyMessage, PolicySchema } from "@palisade/proto";
import {
  CONTINUE,
  type LoggedExchange,
  NO_TRAITS,
  type Policy,
  type PolicyExchange,
  type Recorder,
  refusal,
} from "../policies/contract.js";
import { route, snapshot, upstream } from "./fixtures.js";
import { codeOf, send, TestProxy, TestUpstream } from "./harness.js";

/** A policy message the reference instances stand in for (any enabled type will do). */
function carrier(id: string): PolicyMessage {
  return create(PolicySchema, {
    id,
    name: id,
    config: { case: "headers", value: create(HeadersPolicySchema, { set: { "x-carrier": id } }) },
  });
}

/** What the request-body inspector saw, per request. */
const inspected: Array<{ body: string; complete: boolean }> = [];

/** Refuses a request whose first 8 body bytes hold "evil" (a WAF's block, in miniature). */
const requestInspector: Policy = {
  type: "reference-request-body",
  id: "inspect-in",
  traits: { inspectsRequestBody: { maxBytes: 8 } },
  requestBody(_ex: PolicyExchange, body: Buffer, complete: boolean) {
    inspected.push({ body: body.toString(), complete });
    return body.includes("evil") ? refusal("AUTH_FORBIDDEN", "claim_rule_failed") : CONTINUE;
  },
};

/** Replaces an answer whose body holds "leak" with 403. */
const responseInspector: Policy = {
  type: "reference-response-body",
  id: "inspect-out",
  traits: { inspectsResponseBody: { maxBytes: 64 } },
  responseBody(_ex: PolicyExchange, body: Buffer) {
    return body.includes("leak") ? refusal("AUTH_FORBIDDEN", "claim_rule_failed") : CONTINUE;
  },
};

/** Keeps per-request state from its request hook to its response and log hooks. */
const stateful: Policy = {
  type: "reference-state",
  id: "stateful",
  traits: NO_TRAITS,
  requestHeaders(ex) {
    ex.setState(stateful, `seen ${ex.method} ${ex.path}`);
    return CONTINUE;
  },
  responseHeaders(ex, res) {
    res.set("x-state", String(ex.stateOf(stateful)));
    return CONTINUE;
  },
};

const records: Array<{ route: string; status: number; requestBytes: number; responseBytes: number; ms: number }> = [];
const recorder: Recorder = {
  log(ex: LoggedExchange) {
    records.push({
      route: ex.routeId,
      status: ex.status,
      requestBytes: ex.requestBytes,
      responseBytes: ex.responseBytes,
      ms: ex.durationMs,
    });
  },
};

const app = new TestUpstream("app");
const proxy = new TestProxy({ recorders: [recorder] });

before(async () => {
  await app.start();
  app.behaviour = (req, res) => {
    if (!req.url.startsWith("/out/")) return undefined;
    res.end(req.url.includes("leak") ? "a secret leak in the body" : "nothing to see here");
    return true;
  };
  proxy.apply(
    snapshot({
      upstreams: [upstream("app", [app.address])],
      policies: [carrier("inspect-in"), carrier("inspect-out"), carrier("stateful")],
      routes: [
        route("in", "app", ["/in"], { policyIds: ["inspect-in"] }),
        route("out", "app", ["/out"], { policyIds: ["inspect-out"] }),
        route("state", "app", ["/state"], { policyIds: ["stateful"] }),
      ],
    }),
    new Set(["headers"]),
    new Map([
      ["inspect-in", requestInspector],
      ["inspect-out", responseInspector],
      ["stateful", stateful],
    ]),
  );
  await proxy.start();
});

after(async () => {
  await proxy.stop();
  await app.stop();
});

test("a request body is inspected before any byte goes upstream, then forwarded whole", async () => {
  inspected.length = 0;
  const body = "hello world, all good";
  const r = await send(proxy.port, "/in/post", { method: "POST", body });
  assert.equal(r.status, 200);
  assert.equal(app.seen.at(-1)?.body, body, "the bytes read for the inspection went upstream first, then the rest");
  assert.deepEqual(inspected, [{ body: "hello wo", complete: false }]);
  const small = await send(proxy.port, "/in/small", { method: "POST", body: "tiny" });
  assert.equal(small.status, 200);
  assert.deepEqual(inspected.at(-1), { body: "tiny", complete: true });
});

test("a body the inspector refuses never reaches the upstream", async () => {
  const before = app.count("/in/");
  const r = await send(proxy.port, "/in/attack", { method: "POST", body: "evil payload that must not pass" });
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), "AUTH_FORBIDDEN");
  assert.equal(app.count("/in/"), before);
});

test("a chunked body is inspected the same way", async () => {
  const answer = await new Promise<string>((resolve) => {
    const s = connect(proxy.port, "127.0.0.1");
    let got = "";
    s.on("data", (c) => {
      got += c;
    });
    s.on("close", () => resolve(got));
    s.write("POST /in/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    s.write("4\r\nabcd\r\n");
    s.end("6\r\nefghij\r\n0\r\n\r\n");
  });
  assert.match(answer, /^HTTP\/1\.1 200 /);
  assert.equal(app.seen.at(-1)?.body, "abcdefghij");
  assert.deepEqual(inspected.at(-1), { body: "abcdefgh", complete: false });
});

test("a response body is inspected before any byte reaches the client", async () => {
  const fine = await send(proxy.port, "/out/fine");
  assert.equal(fine.status, 200);
  assert.equal(fine.body, "nothing to see here");
  const leak = await send(proxy.port, "/out/leak");
  assert.equal(leak.status, 403);
  assert.equal(codeOf(leak), "AUTH_FORBIDDEN");
  assert.doesNotMatch(leak.body, /secret/);
});

test("a policy keeps its own state from request_filter to response_filter", async () => {
  const r = await send(proxy.port, "/state/x");
  assert.equal(r.status, 200);
  assert.equal(r.headers["x-state"], "seen GET /state/x");
});

test("recorders get one record per finished exchange, with its status and sizes", async () => {
  records.length = 0;
  await send(proxy.port, "/in/sized", { method: "POST", body: "0123456789" });
  await send(proxy.port, "/nowhere");
  assert.equal(records.length, 2);
  assert.deepEqual(
    records.map(({ route, status, requestBytes }) => ({ route, status, requestBytes })),
    [
      { route: "in", status: 200, requestBytes: 10 },
      { route: "", status: 404, requestBytes: 0 },
    ],
  );
  assert.equal(records[0]!.responseBytes, "app:POST /in/sized".length);
  assert.ok(records.every((r) => r.ms >= 0));
});
