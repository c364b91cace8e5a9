/**
 * Live data by polling with backoff. A poller calls its fetcher every
 * `intervalMs` while the tab is visible; after a failure it waits
 * 2^n × the interval (capped at 30 s, ±20 % jitter so many tabs do not retry in
 * step); an endpoint this control plane does not have (404) is not retried.
 * The last good data stays on screen while a retry is pending.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { forget, reportFailure, reportOk } from "./live.ts";

const MAX_BACKOFF_MS = 30_000;
let nextPollerId = 1;

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer (data or error). */
  loading: boolean;
  /** Epoch ms of the last successful fetch. */
  updatedAt: number | null;
  /** Fetches now (after a change made on this page). */
  refresh: () => void;
}

/** Delay before retry `n` (1-based) of a poller whose interval is `intervalMs`. */
export function backoffMs(n: number, intervalMs: number, random = Math.random()): number {
  const base = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(n, 10));
  return Math.round(base * (0.8 + 0.4 * random));
}

/**
 * Polls `fetcher` (given an AbortSignal) every `intervalMs`; restarts when `key` changes.
 * `intervalMs: 0` fetches once (and on refresh) without polling.
 */
export function usePoll<T>(key: string, fetcher: (signal: AbortSignal) => Promise<T>, intervalMs = 3000): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const kick = useRef<() => void>(() => {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: restart only when the key or interval changes
  useEffect(() => {
    const id = nextPollerId++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ctrl: AbortController | undefined;
    let failures = 0;
    let stopped = false;
    setLoading(true);
    setData(undefined);
    setError(undefined);

    const schedule = (delay: number) => {
      clearTimeout(timer);
      if (!stopped && delay > 0) timer = setTimeout(run, delay);
    };
    async function run() {
      clearTimeout(timer);
      if (stopped) return;
      if (document.hidden && intervalMs > 0) return; // resumed by visibilitychange
      ctrl?.abort();
      ctrl = new AbortController();
      const mine = ctrl;
      try {
        const v = await fetcherRef.current(mine.signal);
        if (stopped || mine.signal.aborted) return;
        failures = 0;
        setData(v);
        setError(undefined);
        setUpdatedAt(Date.now());
        reportOk(id);
        schedule(intervalMs);
      } catch (err) {
        if (stopped || mine.signal.aborted) return;
        const e = err instanceof ApiError ? err : new ApiError(0, "CLIENT", (err as Error).message);
        setError(e);
        if (e.unavailable || e.status === 401 || (e.status >= 400 && e.status < 500)) {
          forget(id);
          return; // a client error or a missing endpoint does not heal by retrying
        }
        failures++;
        const delay = backoffMs(failures, intervalMs || 2000);
        reportFailure(id, Date.now() + delay, e.message);
        schedule(delay);
      } finally {
        if (!stopped) setLoading(false);
      }
    }
    const onVisible = () => {
      if (!document.hidden) run();
    };
    kick.current = run;
    document.addEventListener("visibilitychange", onVisible);
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ctrl?.abort();
      forget(id);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, loading, updatedAt, refresh };
}
