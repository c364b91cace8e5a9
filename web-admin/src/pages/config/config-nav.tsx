/**
 * The Config section's tabs, and the draft banner: edits change a draft; the
 * banner says when it differs from the published version and links to review it.
 */
import type { ReactNode } from "react";
import type { Draft } from "../../api/types.ts";
import { useApi } from "../../lib/auth.tsx";
import { usePoll } from "../../lib/poll.ts";
import { Link, useLocation } from "../../lib/router.tsx";
import { KIND_ORDER, KINDS } from "./kinds.ts";

/** Polls the draft status (every 4 s). */
export function useDraft() {
  const api = useApi();
  return usePoll<Draft>("draft", (s) => api.draft(s), 4000);
}

export function ConfigTabs({ draft }: { draft: Draft | undefined }) {
  const { path } = useLocation();
  const tab = (to: string, label: ReactNode) => (
    <Link key={to} to={to} aria-current={path === to || path.startsWith(`${to}/`) ? "page" : undefined}>
      {label}
    </Link>
  );
  return (
    <nav className="tabs" aria-label="Config">
      {KIND_ORDER.map((k) => tab(`/config/${k}`, KINDS[k].title))}
      {tab("/config/rule-sets", "Rule sets")}
      {tab(
        "/config/changes",
        <>
          Changes
          {draft?.changed ? <span className="badge warn tab-badge">unpublished</span> : null}
        </>,
      )}
      {tab("/config/history", "History")}
      {tab("/config/telemetry", "Telemetry")}
    </nav>
  );
}

export function DraftBanner({ draft }: { draft: Draft | undefined }) {
  const { path } = useLocation();
  if (!draft?.changed || path === "/config/changes") return null;
  return (
    <div className="alert warn" data-testid="draft-banner">
      <div className="grow">
        <strong>The draft has unpublished changes.</strong> Nodes keep running{" "}
        {draft.latest_version ? <span className="mono">v{draft.latest_version}</span> : "no version"} until you publish.
      </div>
      <Link to="/config/changes" className="btn small primary">
        Review and publish
      </Link>
    </div>
  );
}

/** Tabs and the draft banner above a Config page. */
export function ConfigFrame({ children }: { children: ReactNode }) {
  const draft = useDraft();
  return (
    <>
      <ConfigTabs draft={draft.data} />
      <DraftBanner draft={draft.data} />
      {children}
    </>
  );
}
