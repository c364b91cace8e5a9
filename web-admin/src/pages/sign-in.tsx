/**
 * Sign-in with an admin token. The token is checked against the API before it
 * is kept (this tab's sessionStorage only); it never goes into a URL.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiClient, type ApiError } from "../api/client.ts";
import { Logo } from "../components/icons.tsx";

export function SignInPage({ onSignIn, reason }: { onSignIn: (token: string) => void; reason: string | null }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = "Sign in · Palisade";
    input.current?.focus();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError("Paste the admin token.");
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
          ? "This token is not an admin token of this control plane."
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
        <label htmlFor="admin-token">Admin token</label>
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
      </form>
    </div>
  );
}
