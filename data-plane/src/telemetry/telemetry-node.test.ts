// A proxy node's telemetry as an operator reads it: a known traffic mix through a real proxy
// (api-key, ip-restriction and rate-limit policies, a route-less path) gives exactly these
// per-route, per-status-class and per-policy-reason counts on /metrics (which promtool accepts),
// W3C trace context reaches the upstream (an invalid traceparent never does), every request is one
// access line carrying its trace id, and no credential of the test's requests is in any line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConsumerSchema, type Policy, PolicySchema, RateLimitPeriod, RateLimitPolicySchema } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { SecurityEvents } from "../events/security-events.js";
import { createPolicyResources, type PolicyResources } from "../policies/registry.js";
import { TrustedProxies } from "../request/client-address.js";
import { route, snapshot, upstream } from "../test/fixtures.js";
import { send, TestProxy, TestUpstream } from "../test/harness.js";
import { AccessLog } from "./access-log.js";
import { createMetricsRegistry } from "./metrics.js";
import { TrafficStats } from "./traffic-stats.js";

const API_KEY = "pk_live_telemetry_SECRET_4242";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZWxlbWV0cnkifQ.c2VjcmV0LXNpZ25hdHVyZQ";
const COOKIE = "session=telemetry-cookie-SECRET-77";
const QUERY_TOKEN = "qtok-SECRET-9931";
const TRACE = "0af7651916cd43dd8448eb211c80319c";

function policy(id: string, config: Policy["config"]): Policy {
  return create(PolicySchema, { id, name: id, config });
}

describe("node telemetry: metrics, traces and access log", () => {
  let up: TestUpstream;
  let proxy: TestProxy;
  let stats: TrafficStats;
  let resources: PolicyResources;
  let dir: string;
  let accessLog: AccessLog;
  const events = new SecurityEvents();

  before(async () => {
    up = await new TestUpstream("u").start();
    stats = new TrafficStats();
    dir = mkdtempSync(join(tmpdir(), "dp-telemetry-"));
    accessLog = new AccessLog({
      format: "ecs",
      file: join(dir, "access.log"),
      sampleRatio: 1,
      rotateBytes: 1 << 20,
      maxFiles: 2,
      node: "n1",
    });
    proxy = await new TestProxy({ stats, events, accessLog }).start();
    resources = createPolicyResources({ warn: () => {} });
    const snap = snapshot({
      upstreams: [upstream("u1", [up.address])],
      routes: [
        route("open", "u1", ["/open"]),
        route("keyed", "u1", ["/keyed"], { policyIds: ["key"] }),
        route("walled", "u1", ["/walled"], { policyIds: ["walls"] }),
        route("limited", "u1", ["/limited"], { policyIds: ["limit"] }),
      ],
      policies: [
        policy("key", {
          case: "apiKey",
          value: { $typeName: "palisade.config.v1.ApiKeyPolicy", header: "", queryParam: "" },
        }),
        policy("walls", {
          case: "ipRestriction",
          value: { $typeName: "palisade.config.v1.IpRestrictionPolicy", allow: [], deny: ["127.0.0.1"] },
        }),
        policy("limit", {
          case: "rateLimit",
          value: create(RateLimitPolicySchema, { limits: [{ requests: 2, period: RateLimitPeriod.MINUTE }] }),
        }),
      ],
    });
    snap.consumers.push(
      create(ConsumerSchema, {
        id: "c-alice",
        name: "alice",
        credentials: [
          {
            id: "cred-1",
            kind: {
              case: "apiKey",
              value: { sha256: createHash("sha256").update(API_KEY).digest(), prefix: "pk_live" },
            },
          },
        ],
      }),
    );
    proxy.holder.swap(
      compile(snap, {
        policyTypes: new Set(["api-key", "ip-restriction", "rate-limit"]),
        upstreams: proxy.runtime,
        resources,
      }),
    );
  });

  after(async () => {
    await proxy.stop();
    await up.stop();
    await resources.close();
    await accessLog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts a known traffic mix exactly, per route, status class and policy reason", async () => {
    const secretHeaders = { authorization: `Bearer ${BEARER}`, cookie: COOKIE };
    const statuses: number[] = [];
    const go = async (path: string, headers: Record<string, string> = {}) =>
      statuses.push((await send(proxy.port, path, { headers: { ...secretHeaders, ...headers } })).status);
    for (let i = 0; i < 3; i++) await go(`/open?token=${QUERY_TOKEN}`);
    for (let i = 0; i < 2; i++) await go("/keyed");
    await go("/keyed", { "x-api-key": "pk_wrong_key_SECRET" });
    await go("/keyed", { "x-api-key": API_KEY });
    for (let i = 0; i < 2; i++) await go("/walled");
    for (let i = 0; i < 3; i++) await go("/limited");
    await go("/nowhere");
    assert.deepEqual(statuses, [200, 200, 200, 401, 401, 401, 200, 403, 403, 200, 200, 429, 404]);

    const registry = createMetricsRegistry({ stats, holder: new TableHolder(), controlPlaneConnected: () => false });
    const text = await registry.metrics();
    const value = (series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const req = (route: string, upstreamId: string, cls: string) =>
      value(`palisade_http_server_requests_total{route="${route}",upstream="${upstreamId}",status_class="${cls}"}`);
    assert.equal(req("open", "u1", "2xx"), 3);
    assert.equal(req("keyed", "u1", "4xx"), 3);
    assert.equal(req("keyed", "u1", "2xx"), 1);
    assert.equal(req("walled", "u1", "4xx"), 2);
    assert.equal(req("limited", "u1", "2xx"), 2);
    assert.equal(req("limited", "u1", "4xx"), 1);
    assert.equal(req("", "", "4xx"), 1);
    assert.equal(req("open", "u1", "4xx"), undefined);
    const dec = (type: string, decision: string, reason: string) =>
      value(`palisade_policy_decisions_total{policy_type="${type}",decision="${decision}",reason="${reason}"}`);
    assert.equal(dec("api-key", "deny", "credential_missing"), 2);
    assert.equal(dec("api-key", "deny", "key_unknown"), 1);
    assert.equal(dec("api-key", "allow", "none"), 1);
    assert.equal(dec("ip-restriction", "deny", "ip_denied"), 2);
    assert.equal(dec("rate-limit", "allow", "none"), 2);
    assert.equal(dec("rate-limit", "deny", "rate_limit_exceeded"), 1);
    // Latency: every request in the histogram of its series; upstream latency only for those that went upstream.
    assert.equal(
      value('palisade_http_server_request_duration_seconds_count{route="keyed",upstream="u1",status_class="4xx"}'),
      3,
    );
    assert.equal(
      value('palisade_upstream_request_duration_seconds_count{route="limited",upstream="u1",status_class="2xx"}'),
      2,
    );
    assert.equal(
      value('palisade_upstream_request_duration_seconds_count{route="keyed",upstream="u1",status_class="4xx"}'),
      undefined,
    );
    const body = `u:GET /open?token=${QUERY_TOKEN}`.length;
    assert.equal(value('palisade_http_server_response_body_bytes_total{route="open",upstream="u1"}'), 3 * body);
    const lint = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.equal(lint.error, undefined, "promtool is installed by npm test (Debian package prometheus)");
    assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  });

  it("passes a valid trace on with the node's span as parent, and replaces an invalid one", async () => {
    const n = up.seen.length;
    await send(proxy.port, "/open", {
      headers: { traceparent: `00-${TRACE}-b7ad6b7169203331-01`, tracestate: "vendor=abc" },
    });
    await send(proxy.port, "/open", {
      headers: { traceparent: `00-${TRACE.toUpperCase()}-b7ad6b7169203331-01`, tracestate: "x=y" },
    });
    await send(proxy.port, "/open");
    const [valid, invalid, none] = up.seen.slice(n).map((s) => s.headers);
    const parts = String(valid!.traceparent).split("-");
    assert.equal(parts[0], "00");
    assert.equal(parts[1], TRACE);
    assert.notEqual(parts[2], "b7ad6b7169203331");
    assert.match(parts[2]!, /^[0-9a-f]{16}$/);
    assert.equal(parts[3], "00", "a client's sampled flag gives way to the node's decision (ratio 0)");
    assert.equal(valid!.tracestate, "vendor=abc");
    assert.match(String(invalid!.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.ok(!String(invalid!.traceparent).includes(TRACE));
    assert.equal(invalid!.tracestate, undefined, "tracestate is dropped beside an invalid traceparent");
    assert.match(String(none!.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it("keeps the sampled flag of a trusted proxy's traceparent, and only theirs", async () => {
    const edge = await new TestProxy({ trustedProxies: new TrustedProxies(["127.0.0.1/32"]) }).start();
    try {
      edge.apply(snapshot({ upstreams: [upstream("u1", [up.address])], routes: [route("open", "u1", ["/open"])] }));
      const n = up.seen.length;
      await send(edge.port, "/open", { headers: { traceparent: `00-${TRACE}-b7ad6b7169203331-01` } });
      assert.match(String(up.seen[n]!.headers.traceparent), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    } finally {
      await edge.stop();
    }
  });

  it("writes one ECS access line per request with its trace id, and never a credential", async () => {
    const before = events.recent().length;
    await send(proxy.port, `/keyed?api_key=${QUERY_TOKEN}`, {
      headers: { traceparent: `00-${TRACE}-b7ad6b7169203331-01`, authorization: `Bearer ${BEARER}`, cookie: COOKIE },
    });
    assert.equal(events.recent().at(-1)?.traceId, TRACE, "the security event carries the trace id");
    assert.ok(events.recent().length > before);
    await accessLog.close();
    const lines = readFileSync(join(dir, "access.log"), "utf8").trim().split("\n");
    assert.equal(lines.length, 13 + 3 + 1);
    interface Line {
      "log.level": string;
      trace: { id: string };
      http: { response: { status_code: number } };
      url: { path: string };
      labels: { route: string };
    }
    const docs = lines.map((l) => JSON.parse(l) as Line);
    const last = docs.at(-1)!;
    assert.equal(last["log.level"], "info");
    assert.equal(last.trace.id, TRACE);
    assert.equal(last.http.response.status_code, 401);
    assert.equal(last.url.path, "/keyed");
    assert.equal(last.labels.route, "keyed");
    assert.equal(docs.filter((d) => d.http.response.status_code === 429).length, 1);
    for (const secret of [API_KEY, BEARER, COOKIE, "telemetry-cookie-SECRET", QUERY_TOKEN, "pk_wrong_key_SECRET"])
      for (const line of lines) assert.ok(!line.includes(secret), `a log line holds ${secret}`);
  });
});
