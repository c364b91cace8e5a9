/**
 * Changes: what the draft changes against the published version, resource by
 * resource, and publishing it as the next version with a message.
 */
import { type FormEvent, useMemo, useState } from "react";
import type { ApiError } from "../../api/client.ts";
import { useConfirm } from "../../components/confirm.tsx";
import { ChangeList } from "../../components/diff-view.tsx";
import { useToast } from "../../components/toast.tsx";
import { Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { snapshotDiff, summarize } from "../../lib/diff.ts";
import { usePoll } from "../../lib/poll.ts";
import { Link } from "../../lib/router.tsx";
import { useVersionDetails } from "../../lib/versions.ts";
import { ConfigTabs, useDraft } from "./config-nav.tsx";

export function ChangesPage() {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const draft = useDraft();
  const rollouts = usePoll("has:rollouts", () => api.has("POST /v1/rollouts"), 0);
  const latestN = draft.data?.latest_version ?? null;
  const versions = useVersionDetails(api, latestN ? [latestN] : []);
  const latest = latestN ? versions.get(latestN) : undefined;
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [published, setPublished] = useState<number | null>(null);

  const changes = useMemo(
    () => (draft.data && (!latestN || latest) ? snapshotDiff(latest?.snapshot ?? null, draft.data.snapshot) : null),
    [draft.data, latest, latestN],
  );

  async function publish(e: FormEvent) {
    e.preventDefault();
    if (!draft.data?.changed || busy) return;
    const next = (latestN ?? 0) + 1;
    const ok = await confirm({
      title: `Publish version v${next}?`,
      body: (
        <p>
          {rollouts.data
            ? `Version v${next} is made from the draft (${changes ? summarize(changes) : "changes"}); deliver it to the fleet with a rollout, or as this control plane's publish policy says.`
            : `Every connected node receives it now (${changes ? summarize(changes) : "changes"}). Nodes that refuse it keep their current version and report why.`}
        </p>
      ),
      confirm: `Publish v${next}`,
    });
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.publish(message.trim());
      setPublished(r.version);
      setMessage("");
      toast(r.created ? `Published v${r.version}.` : `Nothing changed: v${r.version} is current.`);
      draft.refresh();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ConfigTabs draft={draft.data} />
      <PageHead
        title="Changes"
        sub={latestN ? `draft against published v${latestN}` : "draft (nothing published yet)"}
      />
      {published ? (
        <div className="alert ok" role="status">
          <div className="grow">
            <strong>Published v{published}.</strong>{" "}
            {rollouts.data ? (
              <>
                <Link to={`/rollouts/new?version=${published}`}>Start a rollout of v{published}</Link>,{" "}
              </>
            ) : (
              "Nodes are picking it up: "
            )}
            <Link to="/fleet">watch the fleet</Link> or <Link to="/config/history">see the history</Link>.
          </div>
        </div>
      ) : null}
      <ErrorAlert error={error} title="Not published" />
      {!draft.data || !changes ? (
        draft.error ? (
          <ErrorAlert error={draft.error} />
        ) : (
          <Loading what="the draft" />
        )
      ) : (
        <>
          <form className="panel" onSubmit={publish} aria-label="Publish">
            <div className="panel-head">
              <h2>Publish</h2>
              <span className="muted">
                {draft.data.changed ? summarize(changes) : "the draft matches the published version"}
              </span>
            </div>
            <div className="panel-body toolbar" style={{ marginBottom: 0 }}>
              <label className="visually-hidden" htmlFor="publish-message">
                Message
              </label>
              <input
                id="publish-message"
                className="input"
                style={{ flex: "1 1 320px" }}
                placeholder="What changes and why (shown in the history)"
                value={message}
                maxLength={1000}
                onChange={(e) => setMessage(e.target.value)}
                disabled={!draft.data.changed}
              />
              <button type="submit" className="btn primary" disabled={!draft.data.changed || busy}>
                {busy ? "Publishing…" : `Publish v${(latestN ?? 0) + 1}`}
              </button>
            </div>
          </form>
          <section className="panel" aria-label="Draft changes">
            <div className="panel-head">
              <h2>Draft changes</h2>
              <span className="mono faint">
                {latest ? latest.hash.slice(0, 8) : "—"} → {draft.data.hash.slice(0, 8)}
              </span>
            </div>
            {changes.length === 0 ? (
              <Empty title="No unpublished changes">
                The draft is what the fleet runs{latestN ? ` (v${latestN})` : ""}. Edit routes, upstreams or policies to
                start a change.
              </Empty>
            ) : (
              <ChangeList changes={changes} />
            )}
          </section>
        </>
      )}
    </>
  );
}
