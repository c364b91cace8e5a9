/** Renders line diffs: added and removed lines coloured, long unchanged runs folded. */
import type { DiffLine, ResourceChange } from "../lib/diff.ts";
import { Badge } from "./ui.tsx";

const CONTEXT = 3;

/** One line diff; runs of more than 2×3 unchanged lines fold to "… n unchanged lines". */
export function DiffLines({ lines, full = false }: { lines: DiffLine[]; full?: boolean }) {
  const rows: Array<DiffLine | { fold: number }> = [];
  if (full) rows.push(...lines);
  else {
    let i = 0;
    while (i < lines.length) {
      if (lines[i]!.op !== " ") {
        rows.push(lines[i++]!);
        continue;
      }
      let j = i;
      while (j < lines.length && lines[j]!.op === " ") j++;
      const run = j - i;
      const head = i === 0 ? 0 : CONTEXT;
      const tail = j === lines.length ? 0 : CONTEXT;
      if (run > head + tail + 1) {
        rows.push(...lines.slice(i, i + head), { fold: run - head - tail }, ...lines.slice(j - tail, j));
      } else rows.push(...lines.slice(i, j));
      i = j;
    }
  }
  return (
    <div className="diff">
      {rows.map((r, k) =>
        "fold" in r ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
          <div key={k} className="fold">
            … {r.fold} unchanged line{r.fold === 1 ? "" : "s"}
          </div>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
          <div key={k} className={r.op === "+" ? "add" : r.op === "-" ? "del" : undefined}>
            <span className="op">{r.op === " " ? "" : r.op}</span>
            {r.text}
          </div>
        ),
      )}
    </div>
  );
}

const TONE = { added: "ok", removed: "bad", changed: "warn" } as const;
const SINGULAR = { routes: "route", upstreams: "upstream", policies: "policy" } as const;

/** A list of resource changes, each with its header and diff. */
export function ChangeList({ changes }: { changes: ResourceChange[] }) {
  return (
    <div>
      {changes.map((c) => (
        <section key={`${c.kind}:${c.id}`} aria-label={`${SINGULAR[c.kind]} ${c.name} ${c.change}`}>
          <div className="change-head">
            <Badge tone={TONE[c.change]}>{c.change}</Badge>
            <span className="muted">{SINGULAR[c.kind]}</span>
            <strong>{c.name}</strong>
          </div>
          <DiffLines lines={c.lines} />
        </section>
      ))}
    </div>
  );
}
