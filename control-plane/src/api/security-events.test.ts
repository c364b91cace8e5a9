import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { exampleAnomaly, examplePolicyDenials, exampleWaf } from "@palisade/events";
import { SecurityEventBatchSchema } from "@palisade/proto";
import { pino } from "pino";
import { SecurityEventIntake } from "../security-events/event-intake-service.js";
import { SecurityEventStore } from "../store/security-event-store.js";
import { Store } from "../store/store.js";
import { TEST_ADMIN_TOKEN, testAdminApi } from "../test/admin-app.js";
import { batchOf, fresh } from "../test/security-event-batch.js";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const eu = { id: "eu-1", region: "eu-west" };
const us = { id: "us-1", region: "us-east" };

async function setup() {
  const store = await Store.open(":memory:");
  const intake = new SecurityEventIntake(new SecurityEventStore(store), pino({ level: "silent" }));
  const t = await testAdminApi({ store, events: intake });
  return { ...t, intake };
}
type Setup = Awaited<ReturnType<typeof setup>>;

describe("security events: intake and GET /v1/security-events", () => {
  let call: Setup["call"];
  let intake: Setup["intake"];
  let api: Setup["api"];
  before(async () => {
    ({ call, intake, api } = await setup());
  });
  const denials = examplePolicyDenials({ time: T0 }).map((e, i) => fresh(e, T0 + i * 1000));
  const waf = fresh(exampleWaf("deny", { time: T0 + 20_000, client: "198.51.100.9" }));
  const anomaly = fresh(exampleAnomaly({ time: T0 + 30_000 }));
  after(() => api?.close());

  it("stores a batch, answers an ACK naming it, and stores a resent batch once", async () => {
    const ack = await intake.ingest(eu, batchOf(denials, 7n));
    assert.deepEqual([ack.batchId, ack.stored, ack.duplicates, ack.rejected.length], [7n, denials.length, 0, 0]);
    const again = await intake.ingest(eu, batchOf(denials, 8n));
    assert.deepEqual([again.stored, again.duplicates], [0, denials.length]);
    // Another node's event with the same id is another event.
    const other = await intake.ingest(us, batchOf([denials[0]!, waf, anomaly], 1n));
    assert.deepEqual([other.stored, other.duplicates], [3, 0]);
  });

  it("lists newest first with the node's identity from its stream, never from the document", async () => {
    const r = await call("GET", "/v1/security-events");
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, denials.length + 3);
    assert.equal(r.body.items[0].event.event.id, anomaly.id);
    const wafItem = r.body.items.find((i: { event: { event: { id: string } } }) => i.event.event.id === waf.id);
    assert.deepEqual(
      [wafItem.event.labels.node, wafItem.event.labels.region, wafItem.event.observer.name],
      ["us-1", "us-east", "us-1"],
    );
    assert.equal(r.body.next_cursor, null);
  });

  it("reads an event by the id a refusal carries; 404 naming event_id for an unknown one", async () => {
    const r = await call("GET", `/v1/security-events/${waf.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.items.length, 1);
    assert.equal(r.body.items[0].event.event.id, waf.id);
    assert.equal(r.body.items[0].event.labels.node, "us-1");
    // The same id from two nodes: both, oldest arrival first.
    const twice = await call("GET", `/v1/security-events/${denials[0]!.id}`);
    assert.deepEqual(
      twice.body.items.map((i: { event: { labels: { node: string } } }) => i.event.labels.node),
      ["eu-1", "us-1"],
    );
    const missing = await call("GET", "/v1/security-events/no-such-event");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "NOT_FOUND");
    assert.equal(missing.body.error.field, "event_id");
  });

  it("filters by category, type, node, region, client, route, rule id and time", async () => {
    const q = async (qs: string) => {
      const r = await call("GET", `/v1/security-events?${qs}`);
      assert.equal(r.status, 200, r.text);
      return r.body.items.map((i: { event: { event: { id: string } } }) => i.event.event.id);
    };
    assert.deepEqual(await q("category=waf"), [waf.id]);
    assert.deepEqual(await q("category=waf,anomaly"), [anomaly.id, waf.id]);
    assert.deepEqual(await q("type=ip_denied"), [denials.find((d) => d.type === "ip_denied")!.id]);
    assert.equal((await q("node=eu-1")).length, denials.length);
    assert.equal((await q("region=us-east")).length, 3);
    assert.deepEqual(await q("client=198.51.100.9"), [waf.id]);
    assert.deepEqual(await q("rule_id=949110"), [waf.id], "the interrupting rule");
    assert.deepEqual(await q("route=shop&category=waf"), [waf.id]);
    assert.equal((await q(`since=${new Date(T0 + 20_000).toISOString()}`)).length, 2);
    assert.equal((await q(`until=${new Date(T0 + 1000).toISOString()}&node=eu-1`)).length, 1);
  });

  it("pages with a cursor, without repeats or gaps", async () => {
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const r = await call("GET", `/v1/security-events?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(r.status, 200);
      seen.push(...r.body.items.map((i: { seq: number; event: { labels: { node: string } } }) => `${i.seq}`));
      cursor = r.body.next_cursor;
    }
    assert.equal(seen.length, denials.length + 3);
    assert.equal(new Set(seen).size, seen.length);
  });

  it("counts by category and type, with the top rules", async () => {
    const r = await call("GET", "/v1/security-events/summary");
    assert.equal(r.status, 200);
    assert.equal(r.body.total, denials.length + 3);
    assert.deepEqual(r.body.by_category, { anomaly: 1, policy_denial: denials.length + 1, waf: 1 });
    assert.equal(r.body.by_type.waf_blocked, 1);
    assert.deepEqual(
      r.body.top_rules.find((x: { value: string }) => x.value === "949110"),
      { value: "949110", count: 1 },
    );
    const w = await call("GET", "/v1/security-events/summary?category=waf");
    assert.deepEqual(w.body.by_category, { waf: 1 });
  });

  it("refuses a bad filter with the parameter at fault", async () => {
    for (const [qs, field] of [
      ["category=nope", "category"],
      ["limit=0", "limit"],
      ["since=yesterday", "since"],
      ["cursor=abc", "cursor"],
      ["colour=red", "colour"],
    ]) {
      const r = await call("GET", `/v1/security-events?${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.body.error.code, "VALIDATION_FAILED");
      assert.equal(r.body.error.field, field, qs);
    }
    const noToken = await call("GET", "/v1/security-events", undefined, { token: "" });
    assert.equal(noToken.status, 401);
  });
});

describe("security events: what the control plane refuses or cleans", () => {
  let intake: Setup["intake"];
  before(async () => {
    ({ intake } = await setup());
  });

  it("refuses malformed, oversized and mismatched events, each by index, and stores the rest", async () => {
    const good = fresh(examplePolicyDenials({ time: T0 })[0]!);
    const b = batchOf([good]);
    b.events.push({ ...b.events[0]!, id: "other-id" });
    b.events.push({ ...b.events[0]!, id: "x1", ecsJson: "not json" });
    b.events.push({ ...b.events[0]!, id: "x2", ecsJson: `{"event":{"id":"x2"},"pad":"${"a".repeat(20_000)}"}` });
    const doc = JSON.parse(b.events[0]!.ecsJson);
    doc.event.id = "x3";
    doc.palisade.category = "gossip";
    b.events.push({ ...b.events[0]!, id: "x3", ecsJson: JSON.stringify(doc) });
    const ack = await intake.ingest(eu, b);
    assert.equal(ack.stored, 1);
    assert.deepEqual(
      ack.rejected.map((r) => [r.index, r.code, r.field]),
      [
        [1, "EVENT_ID_MISMATCH", "event.id"],
        [2, "EVENT_MALFORMED", ""],
        [3, "EVENT_TOO_LARGE", ""],
        [4, "EVENT_MALFORMED", "palisade.category"],
      ],
    );
  });

  it("refuses a batch over 500 events whole", async () => {
    const b = create(SecurityEventBatchSchema, { batchId: 3n, events: [] });
    for (let i = 0; i < 501; i++)
      b.events.push({ $typeName: "palisade.sync.v1.SecurityEvent", id: `e${i}`, ecsJson: "{}" });
    const ack = await intake.ingest(eu, b);
    assert.deepEqual([ack.stored, ack.rejected.length, ack.rejected[0]?.code], [0, 501, "BATCH_TOO_LARGE"]);
  });

  it("redacts a secret a node left in a document before storing it", async () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    const e = fresh(examplePolicyDenials({ time: T0 })[0]!);
    const b = batchOf([e]);
    const doc = JSON.parse(b.events[0]!.ecsJson);
    doc.message = `refused Bearer ${jwt}`;
    doc.url.query = "access_token=hunter2&page=1";
    b.events[0]!.ecsJson = JSON.stringify(doc);
    assert.equal((await intake.ingest(eu, b)).stored, 1);
    const stored = (await intake.store.list({}, 10)).find((r) => r.doc.includes(e.id))!;
    assert.ok(!stored.doc.includes(jwt) && !stored.doc.includes("hunter2"), stored.doc);
    assert.equal(intake.counters().redacted, 1);
  });

  it("counts what nodes report dropping", async () => {
    await intake.ingest(eu, batchOf([], 9n, 12n));
    assert.equal(intake.counters().droppedByNodes, 12);
  });
});

describe("security events: retention", () => {
  it("keeps at most maxEvents and nothing older than maxAge, oldest arrivals first", async () => {
    const store = await Store.open(":memory:");
    const events = new SecurityEventStore(store);
    const intake = new SecurityEventIntake(events, pino({ level: "silent" }), { maxEvents: 5, maxAgeMs: 60_000 });
    const batch = examplePolicyDenials({ time: T0 }).map((e) => fresh(e));
    await intake.ingest(eu, batchOf(batch));
    assert.equal(await intake.prune(), batch.length - 5);
    assert.equal(await events.storedRange(), 5);
    assert.equal(await intake.prune(Date.now() + 61_000), 5, "all arrived more than a minute before");
    assert.equal(await events.storedRange(), 0);
  });
});

describe("security events: the live stream (SSE)", () => {
  let intake: Setup["intake"];
  let api: Setup["api"];
  let port = 0;
  before(async () => {
    ({ intake, api } = await setup());
    await api.listen({ host: "127.0.0.1", port: 0 });
    port = (api.server.address() as { port: number }).port;
  });
  after(() => api?.close());

  /** Opens a stream and collects its raw text; resolves when `until` holds. */
  function stream(path: string, headers: Record<string, string> = {}) {
    let text = "";
    let wake: () => void = () => {};
    const req = request({
      host: "127.0.0.1",
      port,
      path,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...headers },
    });
    const opened = new Promise<{ status: number; type: string }>((resolve) =>
      req.on("response", (res) => {
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
          wake();
        });
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]) });
      }),
    );
    req.end();
    const until = async (pred: (t: string) => boolean) => {
      const deadline = Date.now() + 5000;
      while (!pred(text)) {
        if (Date.now() > deadline) throw new Error(`stream never matched; got:\n${text}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return text;
    };
    return { opened, until, close: () => req.destroy(), text: () => text };
  }

  const ids = (t: string) => [...t.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

  it("sends matching events live, with ids, and only those", async () => {
    const s = stream("/v1/security-events/stream?category=waf");
    const head = await s.opened;
    assert.deepEqual([head.status, head.type], [200, "text/event-stream; charset=utf-8"]);
    await s.until((t) => t.includes("retry: 3000"));
    const w = fresh(exampleWaf("deny"));
    await intake.ingest(eu, batchOf([fresh(examplePolicyDenials()[0]!), w]));
    const t = await s.until((x) => x.includes(w.id));
    assert.equal(ids(t).length, 1, "the denial does not match category=waf");
    assert.match(t, /^event: security-event$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(t)![1]!);
    assert.equal(data.event.palisade.category, "waf");
    s.close();
  });

  it("resumes after Last-Event-ID with what was missed, then live, without repeats", async () => {
    const first = fresh(exampleAnomaly());
    await intake.ingest(us, batchOf([first]));
    const a = stream("/v1/security-events?category=anomaly", { accept: "text/event-stream" });
    await a.opened;
    await a.until((t) => t.includes("retry"));
    const second = fresh(exampleAnomaly());
    await intake.ingest(us, batchOf([second]));
    const seen = await a.until((t) => t.includes(second.id));
    const last = ids(seen).at(-1)!;
    a.close();
    const missed = [fresh(exampleAnomaly()), fresh(exampleAnomaly())];
    await intake.ingest(us, batchOf(missed));
    const b = stream("/v1/security-events/stream?category=anomaly", { "last-event-id": String(last) });
    await b.until((t) => t.includes(missed[1]!.id));
    const live = fresh(exampleAnomaly());
    await intake.ingest(us, batchOf([live]));
    const t = await b.until((x) => x.includes(live.id));
    assert.ok(!t.includes(second.id) && !t.includes(first.id), "nothing before the Last-Event-ID again");
    const got = ids(t);
    assert.equal(got.length, 3);
    assert.deepEqual(
      got,
      [...got].sort((x, y) => x - y),
    );
    b.close();
  });

  it("refuses a bad Last-Event-ID", async () => {
    const s = stream("/v1/security-events/stream", { "last-event-id": "abc" });
    assert.equal((await s.opened).status, 400);
    s.close();
  });
});
