import { ACTIVE_STATES, type RolloutRecord } from "./types.js";

/** What decides a node's version: the stable version and the active or last rollout. */
export interface FleetVersionState {
  /** The version nodes outside any rollout get (0: none published to all yet). */
  readonly stable: number;
  /** When the stable version was last set, ISO 8601. */
  readonly stableSetAt: string;
  /** The active rollout, else the most recent one; undefined when none ever ran. */
  readonly rollout: RolloutRecord | undefined;
}

/**
 * The version node `nodeId` should hold (0: none). Pure: a function of the stable version and
 * the rollout's per-node assignments.
 * - a node the active rollout touched holds what it is assigned (the target; its previous
 *   version once rolled back);
 * - after a rollout ended, its assignments still hold until the stable version is set again
 *   (so a rolled-back node stays on the version it had, even when that was not the stable one);
 * - every other node holds the stable version.
 * A node that joins during a rollout is assigned by the engine first (selection.ts `joinerStage`).
 */
export function desiredVersion(nodeId: string, s: FleetVersionState): number {
  const r = s.rollout;
  const a = r?.nodes[nodeId];
  if (r && a) {
    if (ACTIVE_STATES.has(r.state)) return a.version;
    if (r.ended_at !== null && r.ended_at >= s.stableSetAt) return a.version;
  }
  return s.stable;
}
