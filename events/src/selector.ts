/**
 * Node selectors of the telemetry config's per-node overrides (SIEM sinks, trace export): which
 * nodes an override applies to, by region, labels and node id.
 */
import type { NodeSelector } from "@palisade/proto";

/** What a selector is matched against: the node's id, region and labels (its hello). */
export interface NodeFacts {
  readonly id: string;
  readonly region: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether a selector matches a node: every criterion given holds (as a rollout stage's selector). */
export function selectorMatches(sel: NodeSelector | undefined, node: NodeFacts): boolean {
  if (!sel) return false;
  if (sel.regions.length > 0 && !sel.regions.includes(node.region)) return false;
  if (sel.nodeIds.length > 0 && !sel.nodeIds.includes(node.id)) return false;
  for (const [k, v] of Object.entries(sel.labels)) if (node.labels[k] !== v) return false;
  return true;
}

/** Whether a selector names no region, label or node id (an override must name one). */
export function selectorEmpty(sel: NodeSelector | undefined): boolean {
  return !sel || (sel.regions.length === 0 && sel.nodeIds.length === 0 && Object.keys(sel.labels).length === 0);
}
