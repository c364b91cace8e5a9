/**
 * Anomalies (issue 16): the control plane's anomaly detection over the fleet — the mode in force,
 * the live detections with their explanation, the deny list (decisions in force on every node)
 * with unblock and a manual block form, and per-route baselines of the last 10 minutes as small
 * charts (requests and failed logins per 5 s). Data from `/v1/anomalies/...`, polled.
 */
import { type FormEvent, useState } from "react";
import { Sparkline } from "../components/charts.tsx";
import { useConfirm } from "../components/confirm.tsx";
import { useToast } from "../components/toast.tsx";
import { Badge, Empty, ErrorAlert, Loading, PageHead } from "../components/ui.tsx";
import { type BlockForm, baselineTimes, blockBody, remaining, total } from "../lib/anomalies.ts";
import { useApi } from "../lib/auth.tsx";
import { ago } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";

const EMPTY_FORM: BlockForm = {
  targetType: "address",
  targetId: "",
  action: "deny",
  ttlS: "900",
  rate: "1",
  reason: "",
};

export function AnomaliesPage() {
  const api = useApi();
  const status = usePoll("anomalies:status", (s) => api.anomalyStatus(s), 3000);
  const detections = usePoll("anomalies:detections", (s) => api.anomalyDetections(50, s), 3000);
  const decisions = usePoll("anomalies:decisions", (s) => api.anomalyDecisions(s), 3000);
  const baselines = usePoll("anomalies:baselines", (s) => api.anomalyBaselines(s), 5000);
  const confirm = useConfirm();
  const notify = useToast();
  const [form, setForm] = useState<BlockForm>(EMPTY_FORM);
  const [formError, setFormError] = useState<{ field: string; message: string } | null>(null);

  if (status.error?.unavailable)
    return <Empty title="Anomaly detection is not available">This control plane has no /v1/anomalies.</Empty>;
  if (!status.data && !status.error) return <Loading what="anomaly detection" />;
  const mode = status.data?.mode ?? "off";

  async function unblock(type: string, id: string) {
    const ok = await confirm({
      title: `Unblock ${id}?`,
      body: "The decision is lifted on every node at once.",
      confirm: "Unblock",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.unblockClient(type, id);
      notify(`${id} unblocked on every node`);
      decisions.refresh();
    } catch (err) {
      notify((err as Error).message, "bad");
    }
  }

  async function block(e: FormEvent) {
    e.preventDefault();
    const r = blockBody(form);
    if ("field" in r) {
      setFormError(r);
      return;
    }
    setFormError(null);
    try {
      const d = await api.blockClient(r.body);
      notify(`${d.action} ${d.target_id} on every node`);
      setForm(EMPTY_FORM);
      decisions.refresh();
    } catch (err) {
      const f = (err as { field?: string }).field;
      setFormError({ field: f === "target_id" ? "targetId" : (f ?? ""), message: (err as Error).message });
    }
  }

  const set = (k: keyof BlockForm) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  return (
    <>
      <PageHead
        title="Anomalies"
        sub={
          <>
            Detection over the whole fleet:{" "}
            <Badge tone={mode === "enforce" ? "bad" : mode === "detect" ? "ok" : "idle"}>{mode}</Badge>{" "}
            {status.data ? `${status.data.counters.summaries} node summaries merged` : ""}
          </>
        }
      />
      <ErrorAlert error={status.error} title="Anomaly detection" />
      {mode === "off" ? (
        <Empty title="Detection is off">
          Turn it on with <code>PUT /v1/anomalies/config</code> (or <code>palisadectl apply</code>) and publish.
        </Empty>
      ) : null}

      <section className="panel" data-testid="anomaly-detections">
        <div className="panel-head">
          <h2>Detections</h2>
          <span className="muted">newest first, live</span>
        </div>
        <ErrorAlert error={detections.error} title="Detections" />
        {(detections.data ?? []).length === 0 ? (
          <Empty title="No detection yet" />
        ) : (
          <div className="table-wrap">
            <table className="grid" aria-label="Detections">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Kind</th>
                  <th>Seen by</th>
                  <th>Subject</th>
                  <th className="num">Score</th>
                  <th>Explanation</th>
                </tr>
              </thead>
              <tbody>
                {detections.data!.map((d) => (
                  <tr key={d.id}>
                    <td title={d.detected_at}>{ago(d.detected_at)}</td>
                    <td>
                      <Badge tone="warn">{d.kind}</Badge>
                    </td>
                    <td>{d.level === "fleet" ? "fleet" : `${d.level} ${d.scope}`}</td>
                    <td className="mono">
                      {d.subject.type} {d.subject.id}
                    </td>
                    <td className="num">{d.score}</td>
                    <td>{d.explanation}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel" data-testid="anomaly-deny-list">
        <div className="panel-head">
          <h2>Deny list</h2>
          <span className="muted">decisions in force on every node</span>
        </div>
        <ErrorAlert error={decisions.error} title="Deny list" />
        {(decisions.data ?? []).length === 0 ? (
          <Empty title="Nobody is blocked" />
        ) : (
          <div className="table-wrap">
            <table className="grid" aria-label="Deny list">
              <thead>
                <tr>
                  <th>Client</th>
                  <th>Action</th>
                  <th>Left</th>
                  <th>Why</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {decisions.data!.map((d) => (
                  <tr key={d.id}>
                    <td className="mono">
                      {d.target_type} {d.target_id}
                    </td>
                    <td>
                      {d.action === "deny" ? "deny (403)" : `throttle to ${d.rate_per_s}/s (429)`}
                      {d.source === "manual" ? " · manual" : ` · ${d.kind}`}
                    </td>
                    <td title={d.expires_at}>{remaining(d.expires_at)}</td>
                    <td>{d.explanation}</td>
                    <td>
                      <button type="button" className="btn small" onClick={() => unblock(d.target_type, d.target_id)}>
                        Unblock
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form className="inline-form" onSubmit={block} aria-label="Block a client">
          <select className="input" value={form.targetType} onChange={set("targetType")} aria-label="Client type">
            <option value="address">address</option>
            <option value="consumer">consumer</option>
          </select>
          <input
            className="input mono"
            placeholder="203.0.113.7"
            value={form.targetId}
            onChange={set("targetId")}
            aria-label="Client"
            aria-invalid={formError?.field === "targetId"}
          />
          <select className="input" value={form.action} onChange={set("action")} aria-label="Action">
            <option value="deny">deny</option>
            <option value="throttle">throttle</option>
          </select>
          {form.action === "throttle" ? (
            <input className="input" value={form.rate} onChange={set("rate")} aria-label="Requests per second" />
          ) : null}
          <input className="input" value={form.ttlS} onChange={set("ttlS")} aria-label="Seconds" />
          <input
            className="input"
            placeholder="reason"
            value={form.reason}
            onChange={set("reason")}
            aria-label="Reason"
          />
          <button type="submit" className="btn primary">
            Block
          </button>
          {formError ? <span className="field-error">{formError.message}</span> : null}
        </form>
      </section>

      <section className="panel" data-testid="anomaly-baselines">
        <div className="panel-head">
          <h2>Route baselines</h2>
          <span className="muted">last 10 min, per 5 s, over the fleet</span>
        </div>
        {(baselines.data ?? []).length === 0 ? (
          <Empty title="No route traffic reported yet" />
        ) : (
          <div className="table-wrap">
            <table className="grid" aria-label="Route baselines">
              <thead>
                <tr>
                  <th>Route</th>
                  <th className="num">Requests</th>
                  <th>Trend</th>
                  <th className="num">Failed logins</th>
                  <th>Trend</th>
                  <th className="num">5xx</th>
                </tr>
              </thead>
              <tbody>
                {baselines.data!.slice(0, 30).map((b) => {
                  const times = baselineTimes(b);
                  return (
                    <tr key={b.route}>
                      <td className="mono">{b.route}</td>
                      <td className="num">{total(b.requests)}</td>
                      <td>
                        <Sparkline times={times} values={b.requests} label={`requests on ${b.route}`} />
                      </td>
                      <td className="num">{total(b.authFailures)}</td>
                      <td>
                        <Sparkline
                          times={times}
                          values={b.authFailures}
                          color="#f2555f"
                          label={`failed logins on ${b.route}`}
                        />
                      </td>
                      <td className="num">{total(b.status5xx)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
