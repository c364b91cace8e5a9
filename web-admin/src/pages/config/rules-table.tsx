/** A table of WAF rules (the rule lookup of the waf form, the rule browser of the rule sets page). */
import type { ReactNode } from "react";
import type { WafRule } from "../../api/types.ts";

/** An extra column after Rule, Message, PL and Tags. */
export interface RuleColumn {
  head: string;
  cell: (r: WafRule) => ReactNode;
}

/** Rules by id with their message, paranoia level and tags (path-like tags left out), then `columns`. */
export function RulesTable({
  rules,
  label,
  columns = [],
  empty,
}: {
  rules: readonly WafRule[];
  label: string;
  columns?: readonly RuleColumn[];
  empty: string;
}) {
  return (
    <table className="grid" aria-label={label}>
      <thead>
        <tr>
          <th>Rule</th>
          <th>Message</th>
          <th className="num">PL</th>
          <th>Tags</th>
          {columns.map((c) => (
            <th key={c.head}>{c.head}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={r.id} data-rule={r.id}>
            <td className="mono" title={`${r.file}:${r.line}`}>
              {r.id}
            </td>
            <td>{r.msg || <span className="faint">(no message)</span>}</td>
            <td className="num">{r.paranoia_level ?? "-"}</td>
            <td className="mono faint">{r.tags.filter((t) => !t.includes("/")).join(" ")}</td>
            {columns.map((c) => (
              <td key={c.head}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
        {rules.length === 0 ? (
          <tr>
            <td colSpan={4 + columns.length} className="muted">
              {empty}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
