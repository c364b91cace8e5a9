import type { Difference } from "./differential.js";
import { explain, KNOWN_DIFFERENCES } from "./differential-known.js";

/** The differences of a run grouped by known kind, and those no known kind explains. */
export interface DifferentialReport {
  readonly compared: number;
  /** Count and one example per known difference id (ids with no case omitted). */
  readonly known: ReadonlyMap<string, { count: number; example: Difference }>;
  readonly unexplained: readonly Difference[];
}

/** Groups `differences` by the known kind each belongs to. */
export function report(compared: number, differences: readonly Difference[]): DifferentialReport {
  const known = new Map<string, { count: number; example: Difference }>();
  const unexplained: Difference[] = [];
  for (const d of differences) {
    const k = explain(d);
    if (k === undefined) {
      unexplained.push(d);
      continue;
    }
    const g = known.get(k.id);
    if (g === undefined) known.set(k.id, { count: 1, example: d });
    else g.count++;
  }
  return { compared, known, unexplained };
}

/** The report as markdown lines: a table of the known differences, then each unexplained one. */
export function renderReport(r: DifferentialReport): string {
  const lines = [
    `${r.compared} requests compared`,
    "",
    "| difference | cases | example | reason |",
    "| --- | ---: | --- | --- |",
  ];
  for (const k of KNOWN_DIFFERENCES) {
    const g = r.known.get(k.id);
    const example = g === undefined ? "" : JSON.stringify(g.example.bytes.toString("latin1").slice(0, 60));
    lines.push(`| ${k.id} | ${g?.count ?? 0} | \`${example}\` | ${k.reason} |`);
  }
  lines.push("", `unexplained: ${r.unexplained.length}`);
  for (const d of r.unexplained.slice(0, 20)) {
    lines.push(`- ${d.name}: ${d.key}: ${JSON.stringify(d.bytes.toString("latin1").slice(0, 160))}`);
    if (d.engine.kind === "accepted") lines.push(`  engine read ${d.engine.read.slice(0, 300)}`);
    if (d.node.kind === "accepted") lines.push(`  node read   ${d.node.read.slice(0, 300)}`);
  }
  return lines.join("\n");
}
