/**
 * A small client-side router over the History API: the control plane answers
 * every non-API path with index.html, so deep links and reloads work. Links are
 * real `<a href>` elements (keyboard, middle-click and "open in new tab" behave).
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react";

const CHANGE = "palisade:navigate";

function subscribe(fn: () => void): () => void {
  window.addEventListener("popstate", fn);
  window.addEventListener(CHANGE, fn);
  return () => {
    window.removeEventListener("popstate", fn);
    window.removeEventListener(CHANGE, fn);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** Goes to `to` (a path with an optional query); `replace` keeps the history length. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGE));
  if (!opts.replace) window.scrollTo(0, 0);
}

/** The current location: `path` and parsed `query`; re-renders on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const loc = useSyncExternalStore(subscribe, snapshot);
  const i = loc.indexOf("?");
  return { path: i < 0 ? loc : loc.slice(0, i), query: new URLSearchParams(i < 0 ? "" : loc.slice(i)) };
}

/** Replaces some query parameters of the current page (empty values are removed). */
export function setQuery(changes: Record<string, string | undefined>): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === "") q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  navigate(window.location.pathname + (s ? `?${s}` : ""), { replace: true });
}

/**
 * Matches `path` against a pattern with `:name` segments (`/fleet/nodes/:id`).
 * @returns the decoded parameters, or null when it does not match.
 */
export function match(pattern: string, path: string): Record<string, string> | null {
  const trim = (x: string) => (x.length > 1 ? x.replace(/\/+$/, "") : x);
  const p = trim(pattern).split("/");
  const s = trim(path).split("/");
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(":")) {
      try {
        out[seg.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return null;
      }
    } else if (seg !== s[i]) return null;
  }
  return out;
}

/** An in-app link: a plain anchor whose unmodified left clicks navigate without a reload. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
