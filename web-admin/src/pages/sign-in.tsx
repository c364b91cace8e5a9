/**
 * Sign-in with an API token, or with the control plane's OIDC issuer when it offers one. The
 * token is checked against the API before it is kept (this tab's sessionStorage only); it never
 * goes into a URL. An OIDC sign-in comes back with a single-use code in the URL fragment
 * (`#oidc=…`), exchanged here for the session token, and the fragment is cleared at once.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiClient, type ApiError, oidcInfo, redeemOidc } from "../api/client.ts";
import { Logo } from "../components/icons.tsx";

export function SignInPage({ onSignIn, reason }: { onSignIn: (token: string) => void; reason: string | null }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const [sso, setSso] = useState<{ enabled: boolean; issuer?: string }>({ enabled: false });

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on arrival
  useEffect(() => {
    document.title = "Sign in · Palisade";
    input.current?.focus();
    void oidcInfo().then(setSso);
    const hash = new URLSearchParams(window.location.hash.slice(1));
    const code = hash.get("oidc");
    const failed = hash.get("oidc_error");
    if (!code && !failed) return;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (failed) {
      setError(`Single sign-on failed: ${failed}`);
      return;
    }
    setBusy(true);
    redeemOidc(code!).then(
      (s) => onSignIn(s.token),
      (err: ApiError) => {
        setError(`Single sign-on failed: ${err.message}`);
        setBusy(false);
      },
    );
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError("Paste an API token.");
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new ApiClient(t).checkToken();
      onSignIn(t);
    } catch (err) {
      const e = err as ApiError;
      setError(
        e.status === 401
          ? "This token is not a valid token of this control plane (unknown, expired or revoked)."
          : e.message || "The control plane cannot be reached.",
      );
      setBusy(false);
      input.current?.select();
    }
  }

  return (
    <div className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <div className="brand">
          <Logo />
          <span id="signin-title">Palisade</span>
        </div>
        <div className="muted">Sign in to the control plane's admin console.</div>
        <label htmlFor="admin-token">API token</label>
        <input
          ref={input}
          id="admin-token"
          name="admin-token"
          className="input wide mono"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="pal_…"
          value={token}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "signin-error" : "signin-hint"}
          onChange={(e) => setToken(e.target.value)}
        />
        {error ? (
          <span id="signin-error" className="field-error" role="alert">
            {error}
          </span>
        ) : (
          <span id="signin-hint" className="hint">
            Printed by <code>palisade-cp</code> on first start, or set as <code>PALISADE_ADMIN_TOKEN</code>. Kept in
            this tab only.
          </span>
        )}
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        {sso.enabled ? (
          <a className="btn" href="/v1/auth/oidc/login" data-testid="sso" title={sso.issuer}>
            Sign in with single sign-on
          </a>
        ) : null}
      </form>
    </div>
  );
}
