import { createHash } from "node:crypto";
import type { RolloutRecord, StageSelector } from "./types.js";

/** The node facts a selector reads. */
export interface SelectableNode {
  readonly id: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether `node` meets the selector's criteria (regions, labels, node ids); `percent`/`count` aside. */
export function matches(sel: StageSelector, node: SelectableNode): boolean {
  if (sel.regions && sel.regions.length > 0 && !sel.regions.includes(node.region)) return false;
  if (sel.node_ids && sel.node_ids.length > 0 && !sel.node_ids.includes(node.id)) return false;
  if (sel.labels) for (const [k, v] of Object.entries(sel.labels)) if (node.labels[k] !== v) return false;
  return true;
}

/** Whether the selector keeps only part of its matching nodes (`percent` below 100, or `count`). */
export function isPartial(sel: StageSelector): boolean {
  return (sel.percent !== undefined && sel.percent < 100) || sel.count !== undefined;
}

/** The rollout's stable order key of a node: sha256(rollout id + "/" + node id), hex. */
export function orderKey(rolloutId: string, nodeId: string): string {
  return createHash("sha256").update(`${rolloutId}/${nodeId}`).digest("hex");
}

/**
 * The ids of the nodes a stage selects, in the rollout's stable order: the matching nodes sorted
 * by {@link orderKey}, cut to `ceil(percent/100 × matching)` and then to `count`. The same
 * rollout id and inventory always give the same nodes, and a smaller cut is a prefix of a larger
 * one, so the canary (count 1 of all) is also first in its region.
 */
export function selectNodes(sel: StageSelector, nodes: readonly SelectableNode[], rolloutId: string): string[] {
  const keyed = nodes.filter((n) => matches(sel, n)).map((n) => ({ id: n.id, key: orderKey(rolloutId, n.id) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let take = keyed.length;
  if (sel.percent !== undefined && sel.percent < 100) take = Math.ceil((sel.percent / 100) * keyed.length);
  if (sel.count !== undefined) take = Math.min(take, sel.count);
  return keyed.slice(0, take).map((k) => k.id);
}

/**
 * The stage a node that joins during a rollout belongs to: the last stage already reached
 * (started, at or before the current one) whose selector matches it and keeps every match
 * (a `percent`/`count` stage chose its nodes when it started). undefined: the node's stage was
 * not reached, it gets the stable version.
 */
export function joinerStage(r: RolloutRecord, node: SelectableNode): number | undefined {
  if (r.current_stage === null) return undefined;
  for (let i = r.current_stage; i >= 0; i--) {
    const s = r.stages[i]!;
    if (s.state === "pending" || s.state === "skipped") continue;
    if (!isPartial(s.selector) && matches(s.selector, node)) return i;
  }
  return undefined;
}
