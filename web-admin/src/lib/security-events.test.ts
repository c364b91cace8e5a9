/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SecurityEventItem } from "../api/types.ts";
import { filterFromQuery, MAX_ROWS, mergeEvents, severityTone } from "./security-events.ts";

const item = (seq: number, at: string): SecurityEventItem => ({
  seq,
  received_at: at,
  event: {
    "@timestamp": at,
    message: `m${seq}`,
    event: { id: `e${seq}`, action: "waf_blocked", severity: 4, outcome: "failure" },
    log: { level: "warning" },
    labels: { node: "n", region: "r" },
    palisade: { category: "waf" },
  },
});

test("the URL's ev_ parameters make the API filter, with the window as since", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const f = filterFromQuery(new URLSearchParams("ev_category=waf&ev_node=eu-1&ev_client=+&ev_window=1h&scope=x"), now);
  assert.deepEqual(f, { category: "waf", node: "eu-1", since: "2026-03-01T11:00:00.000Z" });
  assert.equal(filterFromQuery(new URLSearchParams(""), now).since, "2026-02-28T12:00:00.000Z", "24 h by default");
});

test("live events merge newest first, once each, bounded", () => {
  const a = mergeEvents([], [item(1, "2026-03-01T10:00:00Z"), item(2, "2026-03-01T10:00:05Z")]);
  const b = mergeEvents(a, [item(2, "2026-03-01T10:00:05Z"), item(3, "2026-03-01T09:59:00Z")]);
  assert.deepEqual(
    b.map((e) => e.seq),
    [2, 1, 3],
  );
  const many = Array.from({ length: MAX_ROWS + 10 }, (_, i) =>
    item(i + 10, new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString()),
  );
  assert.equal(mergeEvents(b, many).length, MAX_ROWS);
  assert.deepEqual(
    [severityTone(2), severityTone(4), severityTone(5), severityTone(6)],
    ["bad", "warn", "info", "idle"],
  );
});
