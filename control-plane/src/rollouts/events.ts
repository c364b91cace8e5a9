import type { RolloutEvent } from "./types.js";

/**
 * Event types of a rollout, one per transition (the API lists them under `events`):
 * `started`, `stage_started`, `stage_skipped`, `stage_soaking` (every stage node ACKed),
 * `node_joined` (a node that connected during the rollout was put in a reached stage),
 * `nack` (a stage node refused the target), `gate_failed`, `stage_passed`, `promoted`,
 * `paused`, `resumed`, `inconclusive` (paused for too little traffic), `deadline` (paused: the
 * stage's nodes did not all ACK in time), `rolled_back` (gate failure with on_failure rollback),
 * `aborted`, `rollback_complete` (every touched node ACKed its previous version), `succeeded`,
 * `failed`.
 */
export type RolloutEventType =
  | "started"
  | "stage_started"
  | "stage_skipped"
  | "stage_soaking"
  | "node_joined"
  | "nack"
  | "gate_failed"
  | "stage_passed"
  | "promoted"
  | "paused"
  | "resumed"
  | "inconclusive"
  | "deadline"
  | "rolled_back"
  | "aborted"
  | "rollback_complete"
  | "succeeded"
  | "failed";

/** The actor of transitions the engine makes by itself. */
export const ENGINE = "engine";

/** An event value (`stage`: the stage's name, or null for the rollout as a whole). */
export function rolloutEvent(
  at: string,
  type: RolloutEventType,
  who: string,
  message: string,
  stage: string | null = null,
): RolloutEvent {
  return { at, type, who, message, stage };
}
