// The shipper never makes its caller wait and never fails it: a stalled receiver, an address
// that does not resolve, a full disk under the spool.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SinkConfigError } from "@palisade/events";
import { eventually } from "../test/eventually.js";
import { SiemShipper } from "./siem-shipper.js";
import { numberedEvents, testShipper } from "./test/fixtures.js";

describe("SiemShipper", () => {
  it("with a receiver that stopped reading, enqueue returns at once and the queue stays bounded", async () => {
    const held: Socket[] = [];
    const server = createServer((s) => {
      s.pause(); // accepts, never reads
      held.push(s);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const t = await testShipper(
      [{ name: "stalled", transport: { case: "syslog", value: { address: `127.0.0.1:${port}`, protocol: "tcp" } } }],
      { queueCapacity: 1000 },
    );
    try {
      let kept = 0;
      let maxDepth = 0;
      for (const e of numberedEvents(0, 50_000)) {
        if (t.shipper.enqueue(e)) kept++;
        maxDepth = Math.max(maxDepth, t.shipper.siemStats().queue.depth);
      }
      // All 50,000 calls returned within one turn of the event loop: the drainer never ran.
      assert.equal(maxDepth, 1000);
      assert.equal(kept, 1000);
      assert.equal(t.shipper.siemStats().queue.dropped, 49_000);
      await eventually("drained into the spool", () => t.shipper.siemStats().sinks[0]!.spooled >= 1000);
      for (const e of numberedEvents(50_000, 5000)) t.shipper.enqueue(e);
      assert.ok(t.shipper.siemStats().queue.depth <= 1000);
    } finally {
      for (const s of held) s.destroy();
      await t.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a sink address that does not resolve: the sink is down (dns), events are spooled, nothing is thrown", async () => {
    const t = await testShipper([
      {
        name: "nowhere",
        transport: { case: "syslog", value: { address: "siem.does-not-resolve.invalid:6514", protocol: "tcp" } },
      },
    ]);
    try {
      for (const e of numberedEvents(0, 100)) assert.equal(t.shipper.enqueue(e), true);
      await eventually("down", () => t.shipper.siemStats().sinks[0]!.state === "down", 30_000);
      await eventually("spooled", () => t.shipper.siemStats().sinks[0]!.pending >= 100);
      const s = t.shipper.siemStats().sinks[0]!;
      assert.match(s.lastError ?? "", /^dns /);
      assert.ok(t.conditions.some((c) => c.action === "sink_down" && c.reason === "dns"));
    } finally {
      await t.close();
    }
  });

  it("a sink that refuses under a steady stream of events reconnects at its backoff's pace, not once per event", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    // Backoff 200 ms → 1 s: over 2 s at most about a dozen attempts; one per event would be 200.
    const t = await testShipper([
      {
        name: "refusing",
        transport: { case: "syslog", value: { address: `127.0.0.1:${port}`, protocol: "tcp" } },
        retry: { initialMs: 200, maxMs: 1000 },
      },
    ]);
    try {
      for (let i = 0; i < 200; i++) {
        for (const e of numberedEvents(i, 1)) t.shipper.enqueue(e);
        await new Promise((r) => setTimeout(r, 10));
      }
      await eventually("all spooled", () => t.shipper.siemStats().sinks[0]!.pending >= 200);
      const s = t.shipper.siemStats().sinks[0]!;
      assert.equal(s.state, "down");
      assert.ok(s.failures <= 30, `${s.failures} connection attempts for 200 events`);
    } finally {
      await t.close();
    }
  });

  it("refuses a bad sink config with its code and field", async () => {
    await assert.rejects(
      SiemShipper.start({
        sinks: [{ name: "x", transport: { case: "syslog", value: { address: "nohost", protocol: "tcp" } } }],
        spoolDir: tmpdir(),
        observer: { node: "n", region: "r", version: "0" },
      }),
      (e: unknown) => e instanceof SinkConfigError && e.field === "sinks[0].transport.value.address",
    );
  });

  it("a full disk under the spool: drops are counted and reported as an event, and spooling resumes when space is back", async (t) => {
    const base = mkdtempSync(join(tmpdir(), "palisade-siem-full-"));
    const mnt = join(base, "spool");
    mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mnt], { stdio: "pipe" });
    } catch {
      rmSync(base, { recursive: true, force: true });
      t.skip("mounting a tmpfs needs root (npm test runs as root)");
      return;
    }
    const ts = await testShipper(
      [
        {
          name: "file",
          transport: { case: "file", value: { path: join(base, "out", "events.ndjson") } },
          spool: { fsyncIntervalMs: 0 },
        },
      ],
      { spoolDir: mnt, dropReportIntervalMs: 50 },
    );
    try {
      const fillers: string[] = [];
      try {
        for (let i = 0; ; i++) {
          const f = join(mnt, `filler-${i}`);
          writeFileSync(f, Buffer.alloc(32 * 1024));
          fillers.push(f);
        }
      } catch {
        // full
      }
      for (const e of numberedEvents(0, 50)) ts.shipper.enqueue(e);
      await eventually(
        "write failures counted",
        () => ts.shipper.siemStats().sinks[0]!.dropped.spool_write_failed >= 50,
      );
      await eventually("reported", () =>
        ts.conditions.some((c) => c.action === "events_dropped" && c.reason === "spool_write_failed"),
      );
      for (const f of fillers) rmSync(f);
      const before = ts.shipper.siemStats().sinks[0]!.delivered;
      for (const e of numberedEvents(50, 20)) ts.shipper.enqueue(e);
      await eventually("delivered again", () => ts.shipper.siemStats().sinks[0]!.delivered >= before + 20);
    } finally {
      await ts.close();
      execFileSync("umount", [mnt]);
      rmSync(base, { recursive: true, force: true });
    }
  });
});
