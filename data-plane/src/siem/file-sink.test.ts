import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { EcsSecurityEvent } from "@palisade/events";
import { eventually } from "../test/eventually.js";
import { numberedEvents, testIds, testShipper } from "./test/fixtures.js";

describe("file sink", () => {
  it("writes one ECS document per line and rotates by size, keeping maxFiles rotated files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "palisade-file-sink-"));
    const path = join(dir, "siem", "events.ndjson");
    const t = await testShipper([
      { name: "file", transport: { case: "file", value: { path, rotateBytes: 8192, maxFiles: 3 } }, batchMaxEvents: 5 },
    ]);
    try {
      for (const e of numberedEvents(0, 200)) t.shipper.enqueue(e);
      await eventually("all written", () => t.shipper.siemStats().sinks[0]!.delivered >= 200, 30_000);
      const files = readdirSync(join(dir, "siem")).sort();
      assert.deepEqual(files, ["events.ndjson", "events.ndjson.1", "events.ndjson.2", "events.ndjson.3"]);
      const ordered = [`${path}.3`, `${path}.2`, `${path}.1`, path].filter((f) => existsSync(f));
      const docs = ordered.flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as EcsSecurityEvent),
      );
      const ids = testIds(docs);
      assert.ok(ids.length < 200, "older files were removed");
      assert.deepEqual(
        ids,
        numberedEvents(200 - ids.length, ids.length).map((e) => e.id),
        "the newest, in order",
      );
      for (const f of ordered.slice(0, -1)) assert.ok(readFileSync(f).length <= 8192 + 5 * 2048);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
