/**
 * Config diffs for the Changes and History screens: snapshots are compared
 * resource by resource (keyed by id, so a rename is a change, not a remove and
 * an add), each shown as a line diff of its pretty-printed JSON with references
 * resolved to names. Pure functions.
 */
import type { SnapshotJson } from "../api/types.ts";

/** One line of a line diff: kept (" "), added ("+") or removed ("-"). */
export interface DiffLine {
  op: " " | "+" | "-";
  text: string;
}

/**
 * Line diff of `a` → `b` by longest common subsequence (O(n·m): fine for one
 * resource's JSON, a few hundred lines at most).
 */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = a === "" ? [] : a.split("\n");
  const y = b === "" ? [] : b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: " ", text: x[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: "-", text: x[i++]! });
    else out.push({ op: "+", text: y[j++]! });
  }
  while (i < n) out.push({ op: "-", text: x[i++]! });
  while (j < m) out.push({ op: "+", text: y[j++]! });
  return out;
}

/** Kinds of snapshot resource, in display order. */
export const SNAPSHOT_KINDS = ["routes", "upstreams", "policies"] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** One changed resource between two snapshots. */
export interface ResourceChange {
  kind: SnapshotKind;
  id: string;
  name: string;
  change: "added" | "removed" | "changed";
  lines: DiffLine[];
}

type Res = Record<string, unknown> & { id: string; name: string };

/** A resource as an operator reads it: no id, references as names, stable key order. */
function readable(kind: SnapshotKind, r: Res, names: Map<string, string>): string {
  const { id: _id, ...rest } = r;
  const out: Record<string, unknown> = { ...rest };
  if (kind === "routes") {
    if (typeof out.upstreamId === "string") {
      out.upstream = names.get(out.upstreamId) ?? out.upstreamId;
      delete out.upstreamId;
    }
    if (Array.isArray(out.policyIds)) {
      out.policies = (out.policyIds as string[]).map((p) => names.get(p) ?? p);
      delete out.policyIds;
    }
  }
  return JSON.stringify(sortKeys(out), null, 2);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => (a === "name" ? -1 : b === "name" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, sortKeys(o[k])]));
}

function namesOf(...snaps: Array<SnapshotJson | null | undefined>): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of snaps) for (const k of SNAPSHOT_KINDS) for (const r of s?.[k] ?? []) names.set(r.id, r.name);
  return names;
}

/**
 * What changed from `from` (null: nothing, as before the first version) to `to`,
 * kind by kind, resources ordered by name. Unchanged resources are left out.
 */
export function snapshotDiff(
  from: SnapshotJson | null | undefined,
  to: SnapshotJson | null | undefined,
): ResourceChange[] {
  const names = namesOf(from, to);
  const out: ResourceChange[] = [];
  for (const kind of SNAPSHOT_KINDS) {
    const a = new Map((from?.[kind] ?? []).map((r) => [r.id, r as Res]));
    const b = new Map((to?.[kind] ?? []).map((r) => [r.id, r as Res]));
    const ids = new Set([...a.keys(), ...b.keys()]);
    const changes: ResourceChange[] = [];
    for (const id of ids) {
      const ra = a.get(id);
      const rb = b.get(id);
      const ta = ra ? readable(kind, ra, names) : "";
      const tb = rb ? readable(kind, rb, names) : "";
      if (ta === tb) continue;
      changes.push({
        kind,
        id,
        name: (rb ?? ra)!.name,
        change: !ra ? "added" : !rb ? "removed" : "changed",
        lines: lineDiff(ta, tb),
      });
    }
    changes.sort((p, q) => (p.name < q.name ? -1 : p.name > q.name ? 1 : 0));
    out.push(...changes);
  }
  return out;
}

/** "2 added, 1 changed" for a list of changes; "no changes" when empty. */
export function summarize(changes: ResourceChange[]): string {
  if (changes.length === 0) return "no changes";
  const n = (c: ResourceChange["change"]) => changes.filter((x) => x.change === c).length;
  return (["added", "changed", "removed"] as const)
    .filter((c) => n(c) > 0)
    .map((c) => `${n(c)} ${c}`)
    .join(", ");
}

/** Line diff of two arbitrary JSON values (audit before/after), keys sorted. */
export function jsonDiff(before: unknown, after: unknown): DiffLine[] {
  const f = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(sortKeys(v), null, 2));
  return lineDiff(f(before), f(after));
}
