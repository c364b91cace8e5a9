/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { SseParser } from "./event-stream.ts";

test("events are dispatched at the blank line, across chunk boundaries, comments skipped", () => {
  const p = new SseParser();
  assert.deepEqual(p.push("retry: 3000\n\n: heartbeat\n\nid: 7\nevent: security-event\nda"), []);
  assert.deepEqual(p.push('ta: {"seq":7}\n\nid: 8\r\ndata: a\r\ndata: b\r\n\r\n'), [
    { id: "7", event: "security-event", data: '{"seq":7}' },
    { id: "8", event: "message", data: "a\nb" },
  ]);
  assert.equal(p.lastEventId, "8");
});
