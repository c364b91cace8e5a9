/**
 * Changes: what the draft changes against the published version, resource by
 * resource, and publishing it as the next version with a message. Where the control plane
 * serves rollouts, the publish dialog asks how the version is delivered: to every node now
 * (`deploy: "all"`, refused while a rollout is active), or only created, to be rolled out
 * (`deploy: "none"`, then a link to start the rollout).
 */
import { type FormEvent, useMemo, useState } from "react";
import type { ApiError } from "../../api/client.ts";
import type { Deploy, Rollout } from "../../api/types.ts";
import { useConfirm } from "../../components/confirm.tsx";
import { ChangeList } from "../../components/diff-view.tsx";
import { useToast } from "../../components/toast.tsx";
import { Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { snapshotDiff, summarize } from "../../lib/diff.ts";
import { usePoll } from "../../lib/poll.ts";
import { isActive } from "../../lib/rollout-view.ts";
import { Link } from "../../lib/router.tsx";
import { useVersionDetails } from "../../lib/versions.ts";
import { ConfigTabs, useDraft } from "./config-nav.tsx";

/** The delivery choice inside the publish dialog (its own state: the dialog renders it once). */
function DeployChoice({
  initial,
  active,
  onChange,
}: {
  initial: Deploy;
  active: Rollout | undefined;
  onChange: (d: Deploy) => void;
}) {
  const [v, setV] = useState<Deploy>(initial);
  const pick = (d: Deploy) => {
    setV(d);
    onChange(d);
  };
  return (
    <fieldset className="deploy-choice" aria-label="Delivery">
      <label className="check" style={{ display: "flex", marginBottom: 6 }}>
        <input type="radio" name="deploy" checked={v === "none"} onChange={() => pick("none")} />
        Create the version only, then roll it out (canary first, region by region, with health gates)
      </label>
      <label className="check" style={{ display: "flex" }}>
        <input type="radio" name="deploy" checked={v === "all"} disabled={!!active} onChange={() => pick("all")} />
        Publish to every node now
      </label>
      {active ? (
        <p className="hint" data-testid="deploy-all-refused">
          Not while the rollout of v{active.version} ({active.id.slice(0, 8)}) is {active.state}: the fleet runs one
          rollout at a time.
        </p>
      ) : null}
    </fieldset>
  );
}

export function ChangesPage() {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const draft = useDraft();
  const rollouts = usePoll("has:rollouts", () => api.has("POST /v1/rollouts"), 0);
  const list = usePoll(
    `changes:rollouts:${rollouts.data === true}`,
    (s) => (rollouts.data ? api.rollouts(s) : Promise.resolve(null)),
    5000,
  );
  const active = list.data?.items.find(isActive);
  const latestN = draft.data?.latest_version ?? null;
  const versions = useVersionDetails(api, latestN ? [latestN] : []);
  const latest = latestN ? versions.get(latestN) : undefined;
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [published, setPublished] = useState<{ version: number; deploy: Deploy | undefined } | null>(null);

  const changes = useMemo(
    () => (draft.data && (!latestN || latest) ? snapshotDiff(latest?.snapshot ?? null, draft.data.snapshot) : null),
    [draft.data, latest, latestN],
  );

  async function publish(e: FormEvent) {
    e.preventDefault();
    if (!draft.data?.changed || busy) return;
    const next = (latestN ?? 0) + 1;
    const what = changes ? summarize(changes) : "changes";
    let deploy: Deploy = "none";
    const ok = await confirm({
      title: `Publish version v${next}?`,
      body: rollouts.data ? (
        <>
          <p>
            Version v{next} is made from the draft ({what}).
          </p>
          <DeployChoice initial="none" active={active} onChange={(d) => (deploy = d)} />
        </>
      ) : (
        <p>
          Every connected node receives it now ({what}). Nodes that refuse it keep their current version and report why.
        </p>
      ),
      confirm: `Publish v${next}`,
    });
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      // The choice is sent only where the control plane serves rollouts.
      const sent = rollouts.data ? deploy : undefined;
      const r = await api.publish(message.trim(), sent);
      setPublished({ version: r.version, deploy: sent });
      setMessage("");
      toast(r.created ? `Published v${r.version}.` : `Nothing changed: v${r.version} is current.`);
      draft.refresh();
    } catch (err) {
      setError(err as ApiError);
      // Refused because a rollout started meanwhile: show which one.
      if ((err as ApiError).code === "ROLLOUT_ACTIVE") list.refresh();
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
        <div className="alert ok" role="status" data-testid="published">
          <div className="grow">
            <strong>Published v{published.version}</strong>
            {published.deploy === "none" ? (
              <>
                {" "}
                (created only: nodes keep their version).{" "}
                <Link to={`/rollouts/new?version=${published.version}`}>Start a rollout of v{published.version}</Link>,{" "}
              </>
            ) : (
              <>. Nodes are picking it up: </>
            )}
            <Link to="/fleet">watch the fleet</Link> or <Link to="/config/history">see the history</Link>.
          </div>
        </div>
      ) : null}
      {active ? (
        <div className="alert warn" role="status" data-testid="rollout-active">
          <div className="grow">
            <strong>
              The rollout of v{active.version} is {active.state}.
            </strong>{" "}
            Publishing to every node is refused until it finishes; a version can still be created for the next rollout.{" "}
            <Link to={`/rollouts/${encodeURIComponent(active.id)}`}>Open the rollout</Link>
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
