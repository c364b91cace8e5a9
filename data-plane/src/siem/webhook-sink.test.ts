// The webhook sink against a node:http receiver on loopback that fails, stalls and recovers.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import type { EcsSecurityEvent, SiemSinkConfig } from "@palisade/events";
import { eventually } from "../test/eventually.js";
import { eventId, firstOccurrences, numberedEvents, testIds, testShipper } from "./test/fixtures.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A receiver that records the bodies it accepted (2xx). */
async function receiver(
  handler: Handler,
): Promise<{ server: Server; url: string; accepted: string[]; requests: number }> {
  const state = { accepted: [] as string[], requests: 0 };
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      state.requests++;
      res.on("finish", () => {
        if (res.statusCode >= 200 && res.statusCode < 300) state.accepted.push(body);
      });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { server, url: `http://127.0.0.1:${port}/siem` });
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

const docsOf = (bodies: readonly string[]): EcsSecurityEvent[] =>
  bodies.flatMap((b) =>
    b
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as EcsSecurityEvent),
  );

const webhook = (
  url: string,
  value: Record<string, unknown> = {},
  extra: Partial<SiemSinkConfig> = {},
): SiemSinkConfig =>
  ({
    name: "hook",
    transport: { case: "webhook", value: { url, ...value } },
    batchMaxEvents: 50,
    ...extra,
  }) as SiemSinkConfig;

describe("webhook sink", () => {
  it("a receiver that answers 503 a few times, then recovers, gets every event in order, in batches", async () => {
    let failures = 3;
    const r = await receiver((req, _body, res) => {
      assert.equal(req.headers["content-type"], "application/x-ndjson");
      assert.equal(req.headers["x-siem-token"], "hook-token");
      res.statusCode = failures-- > 0 ? 503 : 200;
      res.end();
    });
    const t = await testShipper([webhook(r.url, { headers: { "X-Siem-Token": "hook-token" } })]);
    try {
      for (const e of numberedEvents(0, 200)) t.shipper.enqueue(e);
      await eventually("200 events accepted", () => new Set(testIds(docsOf(r.accepted))).size >= 200, 30_000);
      assert.deepEqual(
        firstOccurrences(testIds(docsOf(r.accepted))),
        numberedEvents(0, 200).map((e) => e.id),
      );
      for (const b of r.accepted)
        assert.ok(b.split("\n").filter((l) => l !== "").length <= 50, "batches of at most 50");
      const s = t.shipper.siemStats().sinks[0]!;
      assert.ok(s.failures >= 3, `${s.failures} failures counted`);
      await eventually("up again", () => t.shipper.siemStats().sinks[0]!.state === "up");
      assert.ok(t.conditions.some((c) => c.action === "sink_down" && c.reason === "http_status"));
      assert.ok(t.conditions.some((c) => c.action === "sink_up"));
    } finally {
      await t.close();
      await stop(r.server);
    }
  });

  it("a request that gets no answer times out and is sent again", async () => {
    let first = true;
    const r = await receiver((_req, _body, res) => {
      if (first) {
        first = false;
        return; // never answers
      }
      res.statusCode = 204;
      res.end();
    });
    const t = await testShipper([webhook(r.url, { requestTimeoutMs: 300 })]);
    try {
      for (const e of numberedEvents(0, 10)) t.shipper.enqueue(e);
      await eventually("10 events accepted", () => testIds(docsOf(r.accepted)).length >= 10, 30_000);
      assert.deepEqual(
        testIds(docsOf(r.accepted)),
        numberedEvents(0, 10).map((e) => e.id),
      );
      assert.match(t.shipper.siemStats().sinks[0]!.lastError ?? "", /^timeout/);
    } finally {
      await t.close();
      await stop(r.server);
    }
  });

  it("an event the receiver refuses (400) is isolated by splitting the batch, dropped and counted; the rest arrive", async () => {
    const poison = eventId(7);
    const r = await receiver((_req, body, res) => {
      res.statusCode = body.includes(poison) ? 400 : 200;
      res.end();
    });
    const t = await testShipper([webhook(r.url, { format: "json" })]);
    try {
      for (const e of numberedEvents(0, 20)) t.shipper.enqueue(e);
      await eventually(
        "19 events accepted",
        () => testIds(r.accepted.flatMap((b) => JSON.parse(b) as EcsSecurityEvent[])).length >= 19,
      );
      const got = testIds(r.accepted.flatMap((b) => JSON.parse(b) as EcsSecurityEvent[]));
      assert.deepEqual(
        got,
        numberedEvents(0, 20)
          .map((e) => e.id)
          .filter((id) => id !== poison),
      );
      await eventually("counted", () => t.shipper.siemStats().sinks[0]!.dropped.rejected === 1);
      assert.equal(t.shipper.siemStats().sinks[0]!.delivered, 19);
    } finally {
      await t.close();
      await stop(r.server);
    }
  });
});
