/**
 * An HTTP(S) webhook: batches of ECS documents POSTed as NDJSON (`application/x-ndjson`) or a
 * JSON array (`application/json`), one request at a time so the receiver sees them in order,
 * through a keep-alive undici Agent. A batch is delivered on a 2xx answer.
 *
 * Answers, after Kong's http-log and Vector's http sink: 408, 429 and 5xx, a timeout or a
 * connection error are retried after backoff (`Retry-After` respected as the least delay);
 * 401, 403 and 404 too (a receiver or credential being set up: the spool keeps the events
 * meanwhile); 400, 413 and 422 split the batch in halves to isolate what the receiver refuses,
 * and a single event still refused is dropped and counted (`rejected`, `too_large`); 415 (the
 * receiver takes no such content at all) drops the batch, counted.
 */
import type { ResolvedWebhook } from "@palisade/events";
import { Agent, request } from "undici";
import { classifyNetError, type SendResult, type Sink, SinkError } from "./sink.js";
import type { SpoolRecord } from "./spool-record.js";

const NL = Buffer.from("\n");
const COMMA = Buffer.from(",");

/** Seconds or an HTTP date (RFC 9110 §10.2.3) to ms; null when absent or unreadable. */
function retryAfterMs(v: string | string[] | undefined): number | null {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return null;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - Date.now());
}

/** A webhook sink. */
export class WebhookSink implements Sink {
  readonly window = 1;
  readonly #cfg: ResolvedWebhook;
  #agent: Agent | null = null;

  constructor(cfg: ResolvedWebhook) {
    this.#cfg = cfg;
  }

  async connect(): Promise<void> {
    const tls = this.#cfg.tls;
    this.#agent ??= new Agent({
      connections: 2,
      headersTimeout: this.#cfg.requestTimeoutMs,
      bodyTimeout: this.#cfg.requestTimeoutMs,
      connect: {
        timeout: Math.min(this.#cfg.requestTimeoutMs, 10_000),
        ...(tls?.caPem ? { ca: tls.caPem } : {}),
        ...(tls?.certPem ? { cert: tls.certPem, key: tls.keyPem } : {}),
        ...(tls?.serverName ? { servername: tls.serverName } : {}),
      },
    });
  }

  #body(batch: readonly SpoolRecord[]): Buffer {
    const parts: Buffer[] = [];
    if (this.#cfg.format === "ndjson") for (const r of batch) parts.push(r.payload, NL);
    else {
      parts.push(Buffer.from("["));
      batch.forEach((r, i) => {
        if (i > 0) parts.push(COMMA);
        parts.push(r.payload);
      });
      parts.push(Buffer.from("]"));
    }
    return Buffer.concat(parts);
  }

  async send(batch: readonly SpoolRecord[]): Promise<SendResult | undefined> {
    const body = this.#body(batch);
    if (body.length > this.#cfg.batchMaxBytes && batch.length > 1) return this.#split(batch);
    const status = await this.#post(body);
    if (status >= 200 && status < 300) return undefined;
    if (status === 400 || status === 413 || status === 422) {
      if (batch.length > 1) return this.#split(batch);
      return { refused: 1, reason: status === 413 ? "too_large" : "rejected" };
    }
    if (status === 415) return { refused: batch.length, reason: "rejected" };
    throw new SinkError("http_status", `HTTP ${status}`, { retryAfterMs: this.#retryAfter });
  }

  #retryAfter: number | null = null;

  async #split(batch: readonly SpoolRecord[]): Promise<SendResult | undefined> {
    const mid = Math.ceil(batch.length / 2);
    const a = await this.send(batch.slice(0, mid));
    const b = await this.send(batch.slice(mid));
    const refused = (a?.refused ?? 0) + (b?.refused ?? 0);
    return refused === 0 ? undefined : { refused, reason: b?.reason ?? a?.reason ?? "rejected" };
  }

  async #post(body: Buffer): Promise<number> {
    if (!this.#agent) throw new SinkError("closed", "not connected");
    this.#retryAfter = null;
    try {
      const res = await request(this.#cfg.url, {
        method: "POST",
        dispatcher: this.#agent,
        headers: {
          ...this.#cfg.headers,
          "content-type": this.#cfg.format === "ndjson" ? "application/x-ndjson" : "application/json",
        },
        body,
        signal: AbortSignal.timeout(this.#cfg.requestTimeoutMs),
      });
      await res.body.dump();
      this.#retryAfter = retryAfterMs(res.headers["retry-after"]);
      return res.statusCode;
    } catch (e) {
      const name = (e as Error).name;
      if (name === "TimeoutError" || name === "AbortError") throw new SinkError("timeout", "request timed out");
      throw classifyNetError(e);
    }
  }

  async close(): Promise<void> {
    const a = this.#agent;
    this.#agent = null;
    await a?.destroy();
  }
}
