// SIEM micro-benchmarks (never part of npm test): the request path's enqueue, formatting, the
// spool's write cost, and what one TCP sink sustains into a real rsyslogd on loopback.
//   npx tsc -b data-plane && node data-plane/dist/siem/bench/siem-bench.js [events]
// Prints `RESULT siem-… value unit` lines.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { exampleWaf, formatSyslog, Redactor, toEcs } from "@palisade/events";
import { startRsyslog } from "@palisade/test-support";
import { SiemShipper } from "../siem-shipper.js";
import { Spool } from "../spool.js";
import { numberedEvents } from "../test/fixtures.js";

const N = Number(process.argv[2] ?? 200_000);
const result = (name: string, value: number, unit: string) => console.log(`RESULT ${name} ${value.toFixed(2)} ${unit}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const observer = { node: "node-1", region: "eu-west", version: "0.1.0" };
  const red = new Redactor();
  const denial = numberedEvents(0, 1)[0]!;
  const waf = exampleWaf("deny");

  // Formatting (the drainer's CPU per event).
  for (const [name, e] of [
    ["denial", denial],
    ["waf", waf],
  ] as const) {
    const n = 50_000;
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      bytes += formatSyslog(toEcs(e, observer, red), { hostname: "node-1", procId: 1 }).length;
    result(`siem-format-${name}`, ((performance.now() - t0) * 1000) / n, `us/event (${Math.round(bytes / n)} bytes)`);
  }

  // Spool write cost per event (batches of 500, 1 KiB payloads, default fsync every second).
  const dir = mkdtempSync(join(tmpdir(), "palisade-siem-bench-"));
  try {
    for (const fsyncIntervalMs of [1000, 0]) {
      const spool = await Spool.open(join(dir, `spool-${fsyncIntervalMs}`), {
        maxEvents: 1_000_000,
        maxBytes: 4 * 1024 ** 3,
        fsyncIntervalMs,
      });
      const batch = Array.from({ length: 500 }, () => Buffer.alloc(1024, 97));
      const t0 = performance.now();
      for (let i = 0; i < N; i += 500) await spool.append(batch);
      result(`siem-spool-append-fsync${fsyncIntervalMs}`, ((performance.now() - t0) * 1000) / N, "us/event (1 KiB)");
      const r0 = performance.now();
      let read = 0;
      for (;;) {
        const rs = await spool.read(500, 1 << 22);
        if (rs.length === 0) break;
        read += rs.length;
        await spool.ack(rs.at(-1)!.seq + 1);
      }
      result(`siem-spool-read-ack-fsync${fsyncIntervalMs}`, ((performance.now() - r0) * 1000) / read, "us/event");
      await spool.close();
    }

    // The request path: enqueue only (the drainer runs later).
    const idle = await SiemShipper.start({ sinks: [], spoolDir: join(dir, "idle"), observer, queueCapacity: 100_000 });
    const events = numberedEvents(0, 100_000);
    const e0 = performance.now();
    for (const e of events) idle.enqueue(e);
    result("siem-enqueue", ((performance.now() - e0) * 1e6) / events.length, "ns/call");
    await idle.close();

    // One TCP sink into rsyslogd.
    const rs = await startRsyslog();
    const shipper = await SiemShipper.start({
      sinks: [
        {
          name: "rsyslog",
          transport: { case: "syslog", value: { address: `127.0.0.1:${rs.tcpPort}`, protocol: "tcp" } },
        },
      ],
      spoolDir: join(dir, "tcp"),
      observer,
      queueCapacity: 20_000,
    });
    const all = numberedEvents(0, N);
    const t0 = performance.now();
    for (let i = 0; i < all.length; i++) {
      shipper.enqueue(all[i]!);
      // Feed at the pace the sink takes (neither the queue nor the spool bound is measured here).
      if (i % 5000 === 4999) {
        while (shipper.siemStats().queue.depth > 5000 || shipper.siemStats().sinks[0]!.pending > 50_000) await sleep(1);
      }
    }
    while (shipper.siemStats().sinks[0]!.delivered < N) await sleep(5);
    const secs = (performance.now() - t0) / 1000;
    const s = shipper.siemStats();
    const dropped = s.queue.dropped + s.sinks[0]!.dropped.spool_overflow;
    result("siem-tcp-rsyslog", N / secs, `events/s (${N} events, ${dropped} dropped)`);
    await shipper.close();
    for (let i = 0; i < 200 && rs.received().length < N; i++) await sleep(50);
    console.log(`rsyslogd received ${rs.received().length} messages`);
    await rs.stop();
    rs.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
