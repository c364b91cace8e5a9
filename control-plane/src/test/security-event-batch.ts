import { create } from "@bufbuild/protobuf";
import { ecsJson, newEventId, type PalisadeEvent, Redactor, toEcs } from "@palisade/events";
import { type SecurityEventBatch, SecurityEventBatchSchema } from "@palisade/proto";

/** The node a test batch claims to come from (the intake replaces it with the stream's identity). */
export const TEST_OBSERVER = { node: "claimed-node", region: "claimed-region", version: "0.1.0" } as const;

/** An event with a fresh id. */
export function fresh<T extends PalisadeEvent>(e: T, time?: number): T {
  return { ...e, id: newEventId(), ...(time !== undefined ? { time } : {}) };
}

/** A batch of events as a node sends it: each its ECS document (`ecsJson(toEcs(...))`). */
export function batchOf(events: readonly PalisadeEvent[], batchId = 1n, dropped = 0n): SecurityEventBatch {
  const red = new Redactor();
  return create(SecurityEventBatchSchema, {
    batchId,
    dropped,
    events: events.map((e) => ({ id: e.id, ecsJson: ecsJson(toEcs(e, TEST_OBSERVER, red)) })),
  });
}
