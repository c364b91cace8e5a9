/**
 * The app root: the sign-in page while signed out (nothing else is reachable),
 * otherwise the shell (navigation, live status) around the current page.
 */
import { type ReactNode, useEffect, useState } from "react";
import { ConfirmProvider } from "./components/confirm.tsx";
import { AuditIcon, ConfigIcon, FleetIcon, Logo, RolloutIcon, SecurityIcon, TokenIcon } from "./components/icons.tsx";
import { ToastProvider } from "./components/toast.tsx";
import { SessionProvider, useAuthState, useSession } from "./lib/auth.tsx";
import { useLive } from "./lib/live.ts";
import { Link, match, navigate, useLocation } from "./lib/router.tsx";
import { AnomaliesPage } from "./pages/anomalies.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { ChangesPage } from "./pages/config/changes.tsx";
import { HistoryPage } from "./pages/config/history.tsx";
import { isKind } from "./pages/config/kinds.ts";
import { ResourceEditPage } from "./pages/config/resource-edit.tsx";
import { ResourceListPage } from "./pages/config/resource-list.tsx";
import { RuleSetsPage } from "./pages/config/rule-sets.tsx";
import { TelemetryPage } from "./pages/config/telemetry.tsx";
import { FleetPage } from "./pages/fleet.tsx";
import { NodePage } from "./pages/node.tsx";
import { RolloutPage } from "./pages/rollout.tsx";
import { RolloutsPage } from "./pages/rollouts.tsx";
import { SecurityPage } from "./pages/security.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { StartRolloutPage } from "./pages/start-rollout.tsx";
import { TokensPage } from "./pages/tokens.tsx";

export function App() {
  const auth = useAuthState();
  if (!auth.token) return <SignInPage onSignIn={auth.signIn} reason={auth.reason} />;
  return (
    <SessionProvider token={auth.token} signOut={auth.signOut}>
      <ConfirmProvider>
        <ToastProvider>
          <Shell />
        </ToastProvider>
      </ConfirmProvider>
    </SessionProvider>
  );
}

const NAV = [
  { to: "/fleet", label: "Fleet", icon: <FleetIcon /> },
  { to: "/config", label: "Config", icon: <ConfigIcon /> },
  { to: "/rollouts", label: "Rollouts", icon: <RolloutIcon /> },
  { to: "/security", label: "Security", icon: <SecurityIcon /> },
  { to: "/anomalies", label: "Anomalies", icon: <SecurityIcon /> },
  { to: "/audit", label: "Audit log", icon: <AuditIcon /> },
  { to: "/tokens", label: "Tokens", icon: <TokenIcon /> },
];

type Page = { title: string; page: ReactNode } | { redirect: string };

/** Path patterns and the page each shows; the first match wins. */
const ROUTES: Array<[string, (p: Record<string, string>) => Page | null]> = [
  ["/", () => ({ redirect: "/fleet" })],
  ["/fleet", () => ({ title: "Fleet", page: <FleetPage /> })],
  ["/fleet/nodes/:id", (p) => ({ title: `Fleet / ${p.id}`, page: <NodePage id={p.id!} /> })],
  ["/config", () => ({ redirect: "/config/routes" })],
  ["/config/changes", () => ({ title: "Config / Changes", page: <ChangesPage /> })],
  ["/config/history", () => ({ title: "Config / History", page: <HistoryPage /> })],
  ["/config/rule-sets", () => ({ title: "Config / WAF rule sets", page: <RuleSetsPage /> })],
  ["/config/telemetry", () => ({ title: "Config / Telemetry", page: <TelemetryPage /> })],
  [
    "/config/:kind",
    (p) => (isKind(p.kind!) ? { title: `Config / ${p.kind}`, page: <ResourceListPage kind={p.kind} /> } : null),
  ],
  [
    "/config/:kind/new",
    (p) =>
      isKind(p.kind!)
        ? { title: `Config / ${p.kind} / new`, page: <ResourceEditPage key={`${p.kind}:new`} kind={p.kind} /> }
        : null,
  ],
  [
    "/config/:kind/:id",
    (p) =>
      isKind(p.kind!)
        ? {
            title: `Config / ${p.kind} / ${p.id}`,
            page: <ResourceEditPage key={`${p.kind}:${p.id}`} kind={p.kind} id={p.id!} />,
          }
        : null,
  ],
  ["/rollouts", () => ({ title: "Rollouts", page: <RolloutsPage /> })],
  ["/rollouts/new", () => ({ title: "Rollouts / new", page: <StartRolloutPage /> })],
  ["/rollouts/:id", (p) => ({ title: `Rollouts / ${p.id}`, page: <RolloutPage id={p.id!} /> })],
  ["/security", () => ({ title: "Security", page: <SecurityPage /> })],
  ["/anomalies", () => ({ title: "Anomalies", page: <AnomaliesPage /> })],
  ["/audit", () => ({ title: "Audit log", page: <AuditPage /> })],
  ["/tokens", () => ({ title: "Tokens", page: <TokensPage /> })],
];

/** Picks the page for a path; `title` goes to the top bar and the document title. */
function route(path: string): Page {
  for (const [pattern, make] of ROUTES) {
    const params = match(pattern, path === "" ? "/" : path);
    const page = params ? make(params) : null;
    if (page) return page;
  }
  return {
    title: "Not found",
    page: (
      <div className="empty">
        <h3>No page at {path}</h3>
        <Link to="/fleet">Go to the fleet</Link>
      </div>
    ),
  };
}

function LiveIndicator() {
  const live = useLive();
  const [, tick] = useState(0);
  useEffect(() => {
    if (live.ok) return;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [live.ok]);
  if (live.ok)
    return (
      <span className="live" title="Data refreshes automatically">
        <span className="dot" />
        Live
      </span>
    );
  const s = live.retryAt ? Math.max(0, Math.round((live.retryAt - Date.now()) / 1000)) : null;
  return (
    <span className="live down" role="status" title={live.message ?? undefined}>
      <span className="dot" />
      Connection lost{s !== null ? ` · retrying in ${s} s` : ""}
    </span>
  );
}

function Shell() {
  const { path } = useLocation();
  const { signOut } = useSession();
  const r = route(path);
  useEffect(() => {
    if ("redirect" in r) navigate(r.redirect, { replace: true });
    else document.title = `${r.title} · Palisade`;
  });
  if ("redirect" in r) return null;
  return (
    <div className="app">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <Logo />
          <span className="brand-name">Palisade</span>
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} aria-current={path === n.to || path.startsWith(`${n.to}/`) ? "page" : undefined}>
              {n.icon}
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="nav-foot muted">Admin console</div>
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="crumbs">
            <b>{r.title}</b>
          </div>
          <LiveIndicator />
          <button type="button" className="btn small" onClick={() => signOut()}>
            Sign out
          </button>
        </header>
        <main id="content" className="content" tabIndex={-1}>
          {r.page}
        </main>
      </div>
    </div>
  );
}
