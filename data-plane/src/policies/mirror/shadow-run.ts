import { type Readable, Transform, type TransformCallback } from "node:stream";
import type { Dispatcher } from "undici";
import type { CompiledUpstream } from "../../config/runtime-table.js";
import type { HeaderValues, OutgoingHeaders } from "../../http/headers.js";
import type { RouteShadowCounters, ShadowDropReason } from "../../telemetry/shadow-stats.js";
import type { PoolManager } from "../../upstream/pool-manager.js";

/** What a shadow run needs of the request the proxy is about to send upstream (after every policy ran). */
export interface MirrorRequest {
  readonly routeId: string;
  readonly method: string;
  /** Path sent upstream without the upstream's `path_prefix` (after strip_prefix / prefix_rewrite). */
  readonly upstreamPath: string;
  /** Query string sent upstream, `""` or `"?..."`. */
  readonly query: string;
  /** The upstream request headers, exactly as the primary sends them (credentials already stripped). */
  readonly headers: HeaderValues;
  /** The body stream the primary would forward, or `null`. */
  readonly body: Readable | null;
  /** The declared body length, `null` when not declared (chunked, HTTP/2 without Content-Length). */
  readonly contentLength: number | null;
  /** Route `preserve_host`: the primary sends the client's authority (`clientAuthority`). */
  readonly preserveHost: boolean;
  readonly clientAuthority: string;
}

/** A shadow copy of one request in progress. */
export interface ShadowRun {
  /** The body the primary forwards now: a pass-through tap of the request body, or the same `null`. */
  readonly body: Readable | null;
  /** The primary's response headers arrived with this status. */
  primaryResponse(status: number): void;
  /** The client's exchange is over with this status (499: the client left first). */
  primaryEnd(status: number): void;
}

/** What every shadow run of one mirror policy shares. */
export interface ShadowTarget {
  /** The shadow upstream. */
  readonly upstream: CompiledUpstream;
  /** Pools of shadow traffic only (never the primary's). */
  readonly pools: PoolManager;
  /** Bound on the body buffered for the shadow, bytes. */
  readonly maxBodyBytes: number;
  /** Whole shadow exchange, ms. */
  readonly timeoutMs: number;
  /** Called once when a run ends (the in-flight bound's release). */
  readonly done: () => void;
}

const TIMEOUT = Object.assign(new Error("shadow timeout"), { code: "PALISADE_SHADOW_TIMEOUT" });

/**
 * The `Host` of a shadow request: the one the shadow upstream would get as a primary (its
 * target's `host:port`, or the client's authority with route `preserve_host`) with `-shadow`
 * appended to the host name, as Envoy's request mirroring does, so the shadow service and its
 * logs can tell mirrored traffic from real traffic.
 */
export function shadowHost(host: string): string {
  const close = host.startsWith("[") ? host.indexOf("]") : -1;
  const colon = host.indexOf(":", close + 1);
  return colon === -1 ? `${host}-shadow` : `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
}

/**
 * Copies the request body for the shadow while it streams to the primary: every chunk is passed
 * on at once (the primary is never held back; backpressure is the primary's own) and its
 * reference kept, until the body passes the cap (the copy is dropped) or ends (the shadow
 * request starts).
 */
class BodyTap extends Transform {
  readonly run: Run;

  constructor(run: Run) {
    super();
    this.run = run;
    this.once("close", onTapClose);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.run.bodyChunk(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.run.bodyEnd();
    cb();
  }
}

function onTapClose(this: BodyTap): void {
  this.run.bodyGone();
}

/**
 * One shadow copy of a request: buffers the body (up to the cap) as it streams to the primary,
 * sends the copy to a target of the shadow upstream through the mirror's own pools with its own
 * timeout (no retries), reads and drops the answer, and compares its status class and latency
 * with the primary's when both are known. Every sampled request ends as exactly one comparison
 * or one drop. Never throws, never logs per request.
 */
class Run implements ShadowRun, Dispatcher.DispatchHandler {
  body: Readable | null;
  readonly #t: ShadowTarget;
  readonly #req: MirrorRequest;
  readonly #stats: RouteShadowCounters | null;
  readonly #primaryStart = performance.now();
  #chunks: Buffer[] | null = null;
  #bytes = 0;
  #primaryStatus = 0;
  #primaryMs = -1;
  #shadowStatus = 0;
  #shadowMs = -1;
  #shadowStart = 0;
  /** The run's outcome (compared or dropped) is counted. */
  #settled = false;
  /** The shadow exchange (or its chance to start) is over: the in-flight slot is free. */
  #finished = false;
  #dispatched = false;
  #timedOut = false;
  #controller: Dispatcher.DispatchController | null = null;
  #timer: NodeJS.Timeout | undefined;
  #targetIndex = -1;

  constructor(t: ShadowTarget, req: MirrorRequest, stats: RouteShadowCounters | null) {
    this.#t = t;
    this.#req = req;
    this.#stats = stats;
    if (req.body === null) {
      this.body = null;
      // After the primary is dispatched (the proxy dispatches right after start()).
      setImmediate(startShadow, this);
      return;
    }
    this.#chunks = [];
    const tap = new BodyTap(this);
    // The client's stream errors reach the primary through the tap.
    req.body.once("error", (err: Error) => tap.destroy(err));
    req.body.pipe(tap);
    this.body = tap;
  }

  // --- body ------------------------------------------------------------------------------

  bodyChunk(chunk: Buffer): void {
    const chunks = this.#chunks;
    if (chunks === null) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#t.maxBodyBytes) {
      this.#chunks = null;
      this.#drop("body_too_large");
      return;
    }
    chunks.push(chunk);
  }

  bodyEnd(): void {
    if (this.#chunks !== null) this.dispatch();
  }

  bodyGone(): void {
    if (this.#chunks !== null && !this.#dispatched) {
      this.#chunks = null;
      this.#drop("incomplete");
    }
  }

  // --- the shadow exchange -----------------------------------------------------------------

  /** Sends the copy to a target of the shadow upstream. */
  dispatch(): void {
    if (this.#finished || this.#dispatched) return;
    this.#dispatched = true;
    const t = this.#t;
    const u = t.upstream;
    const i = u.balancer.pick(-1, -1);
    if (i < 0) {
      this.#drop("shadow_error");
      return;
    }
    this.#targetIndex = i;
    const target = u.targets[i]!;
    const req = this.#req;
    const headers: OutgoingHeaders = {};
    for (const name in req.headers) {
      const v = req.headers[name];
      if (v !== undefined) headers[name] = v;
    }
    headers.host = shadowHost(req.preserveHost && req.clientAuthority !== "" ? req.clientAuthority : target.hostHeader);
    let body: Buffer | null = null;
    if (this.#chunks !== null) {
      body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
      this.#chunks = null;
      headers["content-length"] = String(body.length);
    }
    if (this.#stats !== null) this.#stats.mirrored++;
    this.#shadowStart = performance.now();
    this.#timer = setTimeout(onShadowTimeout, t.timeoutMs, this);
    this.#timer.unref();
    try {
      t.pools.get(target.pool).dispatch(
        {
          path: (u.pathPrefix === "" ? req.upstreamPath : u.pathPrefix + req.upstreamPath) + req.query,
          method: req.method,
          headers,
          body,
          headersTimeout: t.timeoutMs,
          bodyTimeout: t.timeoutMs,
        },
        this,
      );
    } catch {
      this.#shadowFailed(false);
    }
  }

  timedOut(): void {
    if (this.#finished) return;
    this.#timedOut = true;
    // undici may call onResponseError from inside abort(): it sees #timedOut.
    this.#controller?.abort(TIMEOUT);
    this.#shadowFailed(true);
  }

  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.#controller = controller;
    if (this.#finished) controller.abort(TIMEOUT);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    _headers: unknown,
    _statusMessage?: string,
  ): void {
    if (statusCode < 200 || this.#shadowStatus !== 0 || this.#finished) return;
    this.#shadowStatus = statusCode;
    this.#shadowMs = performance.now() - this.#shadowStart;
    this.#tryCompare();
  }

  onResponseData(_controller: Dispatcher.DispatchController, _chunk: Buffer): void {
    // Shadow answers are read and dropped.
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, _trailers: unknown): void {
    this.#finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.#finished) return;
    const code = (err as { code?: string }).code;
    this.#shadowFailed(this.#timedOut || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT");
  }

  // --- the primary -------------------------------------------------------------------------

  primaryResponse(status: number): void {
    if (this.#primaryStatus !== 0) return;
    this.#primaryStatus = status;
    this.#primaryMs = performance.now() - this.#primaryStart;
    this.#tryCompare();
  }

  primaryEnd(status: number): void {
    if (!this.#dispatched) {
      // The body never completed while the client's exchange lasted: nothing to send.
      this.#chunks = null;
      this.#drop("incomplete");
      return;
    }
    if (this.#primaryStatus === 0) {
      // No upstream answer: the client got the node's own (502, 504…), or left (499).
      if (status === 499 || status === 0) {
        this.#drop("incomplete");
        return;
      }
      this.#primaryStatus = status;
      this.#primaryMs = performance.now() - this.#primaryStart;
    }
    this.#tryCompare();
  }

  // --- outcome -----------------------------------------------------------------------------

  #tryCompare(): void {
    if (this.#settled || this.#primaryStatus === 0 || this.#shadowStatus === 0) return;
    this.#settled = true;
    this.#stats?.compare(this.#primaryStatus, this.#shadowStatus, this.#shadowMs - this.#primaryMs);
  }

  #shadowFailed(timeout: boolean): void {
    if (this.#shadowStatus === 0) this.#drop(timeout ? "shadow_timeout" : "shadow_error");
    this.#finish();
  }

  #drop(reason: ShadowDropReason): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#stats?.drop(reason);
    if (!this.#dispatched) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    if (this.#targetIndex >= 0) this.#t.upstream.balancer.release(this.#targetIndex);
    this.#t.done();
  }
}

function startShadow(run: Run): void {
  run.dispatch();
}

function onShadowTimeout(run: Run): void {
  run.timedOut();
}

/**
 * Starts a shadow run of `req` to `t`'s upstream (the caller checked the in-flight bound and the
 * declared body length). The returned run's `body` is what the primary forwards.
 */
export function startShadowRun(t: ShadowTarget, req: MirrorRequest, stats: RouteShadowCounters | null): ShadowRun {
  return new Run(t, req, stats);
}
