/**
 * WAF rule sets (issue 14): every rule set the control plane holds — the bundled CRS (the
 * default) and uploaded ones — with its CRS version, content hash (what nodes hold it by), size,
 * rules and the waf policies that run it; a rule browser searches one rule set's rules. Rule
 * sets are uploaded with `palisadectl rule-set upload DIR` (or `POST /v1/rule-sets`).
 */
import { useState } from "react";
import type { RuleLookup, RuleSet } from "../../api/types.ts";
import { Badge, Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { bytes, shortHash, stamp } from "../../lib/format.ts";
import { usePoll } from "../../lib/poll.ts";
import { Link } from "../../lib/router.tsx";
import { ConfigFrame } from "./config-nav.tsx";
import { RulesTable } from "./rules-table.tsx";

function RuleBrowser({ sets }: { sets: RuleSet[] }) {
  const api = useApi();
  const [set, setSet] = useState(sets.find((s) => s.default)?.id ?? sets[0]?.id ?? "");
  const [q, setQ] = useState("");
  const [found, setFound] = useState<RuleLookup | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const search = async (e?: { preventDefault(): void }) => {
    e?.preventDefault();
    setError(null);
    try {
      setFound(await api.ruleLookup(set, q, 100));
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Rules</h2>
        <span className="muted">every paranoia level, before a policy's exclusions</span>
      </div>
      <form className="panel-body row-editor" onSubmit={search} aria-label="Find rules">
        <div className="row">
          <label className="visually-hidden" htmlFor="rules-set">
            Rule set
          </label>
          <select id="rules-set" className="input" value={set} onChange={(e) => setSet(e.target.value)}>
            {sets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <input
            className="input mono"
            aria-label="Rule id, or words of its message or tags"
            placeholder="942100, sql injection, attack-xss…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <button type="submit" className="btn small">
            Find rules
          </button>
        </div>
      </form>
      <ErrorAlert error={error} title="Rules" />
      {found ? (
        <div className="table-wrap">
          <RulesTable
            rules={found.items}
            label="Rules"
            empty={`No rule of ${found.rule_set.name} matches.`}
            columns={[
              { head: "Severity", cell: (r) => r.severity ?? "-" },
              {
                head: "Where",
                cell: (r) => (
                  <span className="mono faint">
                    {r.file}:{r.line}
                  </span>
                ),
              },
            ]}
          />
          <span className="hint">
            {found.items.length} of {found.total} rules of {found.rule_set.name}
          </span>
        </div>
      ) : null}
    </section>
  );
}

export function RuleSetsPage() {
  const api = useApi();
  const sets = usePoll("rule-sets", (s) => api.ruleSets(s), 10_000);
  if (sets.loading && !sets.data) return <Loading what="rule sets" />;
  const list = sets.data ?? [];
  return (
    <ConfigFrame>
      <PageHead title="WAF rule sets" sub="what waf policies run; nodes receive each once, by its content hash" />
      <ErrorAlert error={sets.error} title="Rule sets" />
      <section className="panel">
        <div className="table-wrap">
          <table className="grid" aria-label="Rule sets">
            <thead>
              <tr>
                <th>Name</th>
                <th>CRS</th>
                <th className="num">Rules</th>
                <th className="num">Size</th>
                <th>Hash</th>
                <th>Used by</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-rule-set={s.name}>
                  <td>
                    <span className="mono">{s.name}</span> {s.default ? <Badge tone="info">default</Badge> : null}{" "}
                    {s.bundled ? <Badge title="ships with the control plane; read-only">bundled</Badge> : null}
                    {s.description ? <div className="faint">{s.description}</div> : null}
                  </td>
                  <td>{s.crs_version ?? "-"}</td>
                  <td className="num">{s.rules ?? "-"}</td>
                  <td className="num" title={`${s.files.length} files`}>
                    {bytes(s.bytes)}
                  </td>
                  <td className="mono" title={s.content_hash}>
                    {shortHash(s.content_hash)}
                  </td>
                  <td>
                    {s.used_by.length === 0 ? (
                      <span className="faint">no policy</span>
                    ) : (
                      s.used_by.map((p, i) => (
                        <span key={p}>
                          {i > 0 ? ", " : ""}
                          <Link to={`/config/policies/${encodeURIComponent(p)}`}>{p}</Link>
                        </span>
                      ))
                    )}
                  </td>
                  <td>{stamp(s.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.length === 0 && !sets.error ? <Empty title="No rule sets" /> : null}
        <div className="panel-body hint">
          Another CRS v4 release or your own rules: <code>palisadectl rule-set upload DIR --name NAME</code>, then
          choose it in a waf policy. The bundled rule set changes only with the control plane.
        </div>
      </section>
      {list.length > 0 ? <RuleBrowser sets={list} /> : null}
    </ConfigFrame>
  );
}
