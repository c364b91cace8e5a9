/**
 * Connection health shared by every poller, shown in the header: "live" while
 * the last call of each poller succeeded, otherwise when the next retry is due.
 */
import { useSyncExternalStore } from "react";

/** Health of the pollers taken together. */
export interface LiveState {
  ok: boolean;
  /** Epoch ms of the next retry of a failing poller (the soonest). */
  retryAt: number | null;
  /** Epoch ms of the last successful call of any poller. */
  lastOk: number | null;
  /** Message of the latest failure. */
  message: string | null;
}

const failing = new Map<number, { retryAt: number; message: string }>();
let lastOk: number | null = null;
let state: LiveState = { ok: true, retryAt: null, lastOk: null, message: null };
const listeners = new Set<() => void>();

function publish(): void {
  let retryAt: number | null = null;
  let message: string | null = null;
  for (const f of failing.values())
    if (retryAt === null || f.retryAt < retryAt) {
      retryAt = f.retryAt;
      message = f.message;
    }
  state = { ok: failing.size === 0, retryAt, lastOk, message };
  for (const l of listeners) l();
}

/** Records a poller's success. */
export function reportOk(poller: number): void {
  lastOk = Date.now();
  failing.delete(poller);
  publish();
}

/** Records a poller's failure and when it retries. */
export function reportFailure(poller: number, retryAt: number, message: string): void {
  failing.set(poller, { retryAt, message });
  publish();
}

/** Forgets a poller (unmounted). */
export function forget(poller: number): void {
  if (failing.delete(poller)) publish();
}

/** The pollers' combined health; re-renders on change. */
export function useLive(): LiveState {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => state,
  );
}
