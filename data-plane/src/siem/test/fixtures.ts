// Test helpers for the SIEM sinks: numbered events, reading what a receiver got, shippers in
// temporary folders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EcsSecurityEvent,
  examplePolicyDenials,
  type PalisadeEvent,
  parseSyslog,
  type SiemConditionEvent,
  type SiemSinkConfig,
} from "@palisade/events";
import { SiemShipper, type SiemShipperOptions } from "../siem-shipper.js";

/** Event ids a test made: `t-<6 digits>`, so order checks are string compares. */
export function eventId(i: number): string {
  return `t-${String(i).padStart(6, "0")}`;
}

/** N policy-denial events with ids eventId(from) … eventId(from + n - 1). */
export function numberedEvents(from: number, n: number): PalisadeEvent[] {
  const base = examplePolicyDenials()[0]!;
  return Array.from({ length: n }, (_, i) => ({ ...base, id: eventId(from + i), time: base.time + from + i }));
}

/** The ECS documents in received RFC 5424 lines (throws on a line that is not one). */
export function docsOfSyslog(lines: readonly string[]): EcsSecurityEvent[] {
  return lines.map((l) => JSON.parse(parseSyslog(l).msg) as EcsSecurityEvent);
}

/** The ids of the test's own events (t-…), in arrival order. */
export function testIds(docs: readonly EcsSecurityEvent[]): string[] {
  return docs.map((d) => d.event.id).filter((id) => id.startsWith("t-"));
}

/** First occurrences only (at-least-once may repeat a few after a reconnect). */
export function firstOccurrences(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A shipper in a temporary spool folder, with fast retries; `conditions` collects its condition events. */
export interface TestShipper {
  readonly shipper: SiemShipper;
  readonly conditions: SiemConditionEvent[];
  readonly spoolDir: string;
  close(): Promise<void>;
}

/** Starts a shipper for `sinks` with test tuning (short confirm delay and retries). */
export async function testShipper(
  sinks: SiemSinkConfig[],
  opts: Partial<SiemShipperOptions> & { spoolDir?: string } = {},
): Promise<TestShipper> {
  const own = opts.spoolDir === undefined;
  const spoolDir = opts.spoolDir ?? mkdtempSync(join(tmpdir(), "palisade-siem-"));
  const conditions: SiemConditionEvent[] = [];
  const shipper = await SiemShipper.start({
    observer: { node: "node-1", region: "eu-west", version: "0.1.0" },
    tuning: { confirmDelayMs: 100 },
    dropReportIntervalMs: 3_600_000,
    ...opts,
    sinks: sinks.map((s) => ({ retry: { initialMs: 50, maxMs: 400 }, ...s })),
    spoolDir,
    onCondition: (e) => conditions.push(e),
  });
  return {
    shipper,
    conditions,
    spoolDir,
    async close() {
      await shipper.close(1000);
      if (own) rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}
