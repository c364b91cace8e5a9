/**
 * What a SIEM sink is to its runner (sink-runner.ts): connect, send batches in order, close.
 * A sink holds no queue of its own: the runner reads batches from the spool, keeps the ones in
 * flight, acknowledges each once `send` resolves and resends them after a failure, so a sink
 * only has to say truthfully when a batch counts as delivered.
 */
import type { SpoolRecord } from "./spool-record.js";

/** Why a sink failed, for counters and the `sink_down` event (never a secret or a payload). */
export type SinkFailureKind =
  | "dns"
  | "refused"
  | "timeout"
  | "tls"
  | "closed"
  | "io"
  | "http_status"
  | "rejected"
  | "too_large";

/**
 * A sink failure. `permanent` failures (the receiver refuses these events: HTTP 4xx, a record
 * over its size limit) drop the batch, counted; the others keep it for a retry after backoff.
 */
export class SinkError extends Error {
  readonly kind: SinkFailureKind;
  readonly permanent: boolean;
  /** Earliest retry the receiver asked for (HTTP Retry-After), ms. */
  readonly retryAfterMs: number | null;

  constructor(
    kind: SinkFailureKind,
    message: string,
    opts: { permanent?: boolean; retryAfterMs?: number | null } = {},
  ) {
    super(message);
    this.name = "SinkError";
    this.kind = kind;
    this.permanent = opts.permanent ?? false;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

/** Events of a delivered batch the receiver refused for good (counted as dropped, not retried). */
export interface SendResult {
  readonly refused: number;
  readonly reason: "rejected" | "too_large";
}

/** A sink: one transport to one receiver. */
export interface Sink {
  /**
   * Batches that may be in flight at once: 1 where each send waits for the receiver's answer
   * (webhook, file); more on a stream, where sends are pipelined.
   */
  readonly window: number;
  /** Connects (or opens the file). Rejects with a {@link SinkError} on failure. */
  connect(): Promise<void>;
  /**
   * Sends one batch after the ones before it. Resolves once the batch counts as delivered
   * (with the events the receiver refused for good, if any); rejects with a {@link SinkError},
   * and then every later pending send rejects too (the runner closes, reconnects and resends
   * them in order).
   */
  send(batch: readonly SpoolRecord[]): Promise<SendResult | undefined>;
  /** Closes; pending sends reject. */
  close(): Promise<void>;
}

/** A short, safe description of a connection error: its code, never data. */
export function classifyNetError(e: unknown): SinkError {
  if (e instanceof SinkError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ENODATA") return new SinkError("dns", code);
  if (code === "ECONNREFUSED") return new SinkError("refused", code);
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return new SinkError("timeout", code);
  if (
    code.startsWith("ERR_TLS") ||
    code.startsWith("ERR_SSL") ||
    /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME/.test(code)
  ) {
    return new SinkError("tls", code);
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ERR_STREAM_DESTROYED")
    return new SinkError("closed", code);
  return new SinkError("io", code || (e instanceof Error ? e.name : "error"));
}
