/**
 * The request loop: the one place that calls the phases, in the order of {@link PHASES}, and that
 * owns the end of every exchange (after Pingora's `ProxyHttp` lifecycle). Each phase is a file
 * of `phases/`; the exchange (proxy/exchange.ts) holds one request's state and turns what the
 * client side and the upstream client report into the events below; nothing below this file
 * imports it.
 *
 *     request head ─► request_filter ─► request_body_filter ─► upstream_peer
 *                         │ (answer)          │ (answer)           │ (no target)
 *                         │                   │                    ▼
 *                         │                   │          upstream_request_filter
 *                         │                   │                    │ dispatch: breaker → timeout → retry → attempt → pool
 *                         │                   │                    ▼
 *                         │                   │             response_filter ─► response_body_filter ─► body streamed
 *                         ▼                   ▼                    │ (answer, upstream error, broken request)
 *                     fail_to_proxy ◄──────────────────────────────┘
 *                         │ (the error answer goes through response_filter's decoration)
 *                         ▼
 *                      logging ◄── the exchange is over (answered, cut, the client left, a tunnel closed)
 */
import type { Duplex } from "node:stream";
import { Failure } from "./errors.js";
import type { HttpRequestError } from "./http/http-error.js";
import { ResponseFields } from "./http/response-fields.js";
import type { ResponseHead } from "./http/response-parser.js";
import { switchingProtocolsHead } from "./http/response-writer.js";
import { failToProxy } from "./phases/fail-to-proxy.js";
import { logging } from "./phases/logging.js";
import { requestBodyFilter } from "./phases/request-body-filter.js";
import { requestFilter } from "./phases/request-filter.js";
import { responseBodyFilter } from "./phases/response-body-filter.js";
import { decorateOwnAnswer, responseFilter } from "./phases/response-filter.js";
import { upstreamPeer } from "./phases/upstream-peer.js";
import { upstreamRequestFilter } from "./phases/upstream-request-filter.js";
import type { PhaseOutcome, Reply } from "./policies/contract.js";
import { CLIENT_CLOSED, type Exchange, type ExchangeEvents } from "./proxy/exchange.js";
import { tunnel } from "./proxy/websocket.js";
import { classifyUpstreamError } from "./upstream/upstream-errors.js";

/**
 * The phases, in the order the loop calls them; `logging` always runs, exactly once, when the
 * exchange is over. The README's drawing and table, and docs/request-loop.md, list the same
 * phases in the same order (tests check it).
 */
export const PHASES = Object.freeze([
  "request_filter",
  "request_body_filter",
  "upstream_peer",
  "upstream_request_filter",
  "response_filter",
  "response_body_filter",
  "logging",
] as const);

/** The error path every phase failure, upstream error and broken request goes through. */
export const FAIL_TO_PROXY = "fail_to_proxy";

/** One phase name. */
export type Phase = (typeof PHASES)[number];

/** The abort reason of an upstream exchange whose answer a policy replaced. */
const REPLACED: Error = Object.assign(new Error("answer replaced by a policy"), { code: "UND_ERR_ABORTED" });

/**
 * Runs requests through the phases. One per proxy server; it keeps no per-request state of its
 * own (that is the Exchange's), so every method takes the exchange it works on.
 */
export class ProxyLoop implements ExchangeEvents {
  /** A request's head arrived: `request_filter`, then on. */
  run(ex: Exchange): void {
    let out: PhaseOutcome | Promise<PhaseOutcome>;
    try {
      out = requestFilter(ex);
    } catch (err) {
      this.#fail(ex, new Failure("INTERNAL", null, err));
      return;
    }
    if (out instanceof Promise)
      out.then(
        (o) => this.#afterRequestFilter(ex, o),
        (err: unknown) => this.#fail(ex, new Failure("INTERNAL", null, err)),
      );
    else this.#afterRequestFilter(ex, out);
  }

  #afterRequestFilter(ex: Exchange, out: PhaseOutcome): void {
    if (out !== undefined) {
      this.#answer(ex, out);
      return;
    }
    if (ex.clientClosed) return;
    let body: PhaseOutcome | Promise<PhaseOutcome>;
    try {
      body = requestBodyFilter(ex);
    } catch (err) {
      this.#fail(ex, new Failure("INTERNAL", null, err));
      return;
    }
    if (body instanceof Promise)
      body.then(
        (o) => this.#afterRequestBody(ex, o),
        (err: unknown) => this.#fail(ex, new Failure("INTERNAL", null, err)),
      );
    else this.#afterRequestBody(ex, body);
  }

  #afterRequestBody(ex: Exchange, out: PhaseOutcome): void {
    if (out !== undefined) {
      this.#answer(ex, out);
      return;
    }
    if (ex.clientClosed || ex.errorCode !== undefined) return;
    try {
      const target = upstreamPeer(ex);
      if (target instanceof Failure) {
        this.#fail(ex, target);
        return;
      }
      if ("kind" in target) {
        // The route answers itself (a redirect or direct_response, issue 22).
        this.#reply(ex, target);
        return;
      }
      upstreamRequestFilter(ex, target);
      // The upstream client: breaker → total timeout → retry → attempt → pool (upstream/dispatch/).
      ex.upstream.dispatch(ex, ex);
    } catch (err) {
      this.#fail(ex, new Failure("INTERNAL", null, err));
    }
  }

  // --- the upstream's answer ---------------------------------------------------------------------

  upstreamResponse(ex: Exchange, head: ResponseHead): void {
    if (ex.clientClosed || ex.errorCode !== undefined) return;
    const res = responseFilter(ex, head);
    if (!isFields(res)) {
      ex.abortUpstream(REPLACED);
      this.#answer(ex, res);
      return;
    }
    if (ex.route!.hooks.inspectResponseBytes > 0) {
      // response_body_filter: held until enough of the body (or all of it) is here.
      ex.held = res;
      ex.heldBody = [];
      ex.heldBytes = 0;
      return;
    }
    this.#writeUpstreamHead(ex, res, head);
  }

  upstreamData(ex: Exchange, chunk: Buffer): void {
    if (ex.held !== null) {
      ex.heldBody!.push(chunk);
      ex.heldBytes += chunk.length;
      if (ex.heldBytes >= ex.route!.hooks.inspectResponseBytes) {
        ex.pauseUpstream();
        this.#inspectResponse(ex, false);
      }
      return;
    }
    const d = ex.downstream;
    if (d.ended || d.clientGone) {
      ex.abortUpstream(CLIENT_CLOSED);
      return;
    }
    ex.responseBytes += chunk.length;
    if (!d.write(chunk)) ex.pauseUpstream();
  }

  upstreamEnd(ex: Exchange): void {
    if (ex.held !== null) {
      this.#inspectResponse(ex, true);
      return;
    }
    ex.downstream.end();
  }

  upstreamFailed(ex: Exchange, err: Error): void {
    if (ex.clientClosed) return; // we aborted it; logging runs when the exchange ends
    // The request's own body broke while it streamed upstream: the client's error, not the upstream's.
    const broken = (err as { requestError?: HttpRequestError }).requestError;
    if (broken !== undefined) {
      this.#fail(ex, new Failure(broken.code, null, broken.reason));
      return;
    }
    this.#fail(ex, new Failure(classifyUpstreamError(err), null, err));
  }

  /**
   * The upstream switched protocols (101): `response_filter` runs on its head, the client gets
   * its `101` and the two sockets are joined; `logging` runs when the tunnel closes.
   */
  upstreamUpgrade(ex: Exchange, head: ResponseHead, upstream: Duplex): void {
    if (ex.clientClosed || ex.errorCode !== undefined) {
      upstream.destroy();
      return;
    }
    const res = responseFilter(ex, head);
    let bytes: Buffer;
    try {
      if (!isFields(res)) throw new Error("a policy answered a switching-protocols response");
      bytes = switchingProtocolsHead(ex.upgrade ?? "websocket", null, null, res.toObject());
    } catch (err) {
      upstream.destroy();
      this.#fail(ex, new Failure("UPSTREAM_BAD_RESPONSE", null, err));
      return;
    }
    const detached = ex.downstream.detach();
    if (detached === null) {
      upstream.destroy();
      return;
    }
    ex.upgraded = true;
    const client = detached.socket;
    ex.services.tunnelOpened(client);
    client.write(bytes);
    tunnel(client, upstream, detached.head, () => logging(ex));
  }

  // --- the client side ------------------------------------------------------------------------------

  /**
   * The request broke after its head (a framing error, its body limit, the request timeout): the
   * upstream exchange is aborted (its connection is never reused) and the client answered with
   * the error (400, 413, 408) when no response started, else cut. The client left (`null`): the
   * upstream exchange is aborted.
   */
  requestAborted(ex: Exchange, err: HttpRequestError | null): void {
    if (err === null) {
      ex.abortUpstream(CLIENT_CLOSED);
      return;
    }
    ex.abortUpstream(err.toError());
    this.#fail(ex, new Failure(err.code, null, err.reason));
  }

  clientDrained(ex: Exchange): void {
    ex.resumeUpstream();
  }

  exchangeEnded(ex: Exchange): void {
    if (ex.upgraded) return; // the tunnel logs when it closes
    if (!ex.upstreamDone) ex.abortUpstream(CLIENT_CLOSED);
    // The answer is already sent: a fault in a log hook or recorder is logged, never thrown into
    // the connection's event (over HTTP/2 that would end the process with every stream on it).
    try {
      logging(ex);
    } catch (err) {
      ex.services.log.error({ err, request_id: ex.requestId, route: ex.route?.id }, "logging phase failed");
    }
  }

  // --- answers ------------------------------------------------------------------------------------

  /** A phase answered: a Failure goes to `fail_to_proxy`, a policy's Reply is sent as it is. */
  #answer(ex: Exchange, out: Failure | Reply): void {
    if (out instanceof Failure) this.#fail(ex, out);
    else this.#reply(ex, out);
  }

  /** `fail_to_proxy`, then the error answer decorated by `response_filter` and written. */
  #fail(ex: Exchange, failure: Failure): void {
    const answer = failToProxy(ex, failure);
    if (answer === null) return;
    decorateOwnAnswer(ex, answer.fields);
    this.#writeOwn(ex, answer.fields, answer.body);
  }

  /** A policy's own answer (a CORS preflight's 204) or a route's (a redirect, a direct response), decorated by the policies. */
  #reply(ex: Exchange, reply: Reply): void {
    const d = ex.downstream;
    if (d.headersSent || d.clientGone) return;
    const res = new ResponseFields(reply.status, null, null);
    for (const name in reply.headers) res.set(name, reply.headers[name]!);
    decorateOwnAnswer(ex, res);
    this.#writeOwn(ex, res, reply.body ?? null);
  }

  #writeOwn(ex: Exchange, res: ResponseFields, body: Buffer | null): void {
    const d = ex.downstream;
    try {
      d.writeHead(res.status, res.values, { blocks: res.blocks, contentLength: body === null ? 0 : body.length });
    } catch (err) {
      // A policy's header cannot go on the wire: the answer is sent without its decoration.
      ex.services.log.warn({ request_id: ex.requestId, cause: (err as Error).message }, "answer header refused");
      d.writeHead(res.status, { "x-request-id": ex.requestId }, { contentLength: body === null ? 0 : body.length });
    }
    d.end(body ?? undefined);
  }

  #writeUpstreamHead(ex: Exchange, res: ResponseFields, head: ResponseHead): boolean {
    try {
      ex.downstream.writeHead(res.status, res.values, {
        forward: head,
        drop: res.drop,
        owned: res.edited ? res : null,
        blocks: res.blocks,
        contentLength: head.contentLength ?? -1,
      });
      return true;
    } catch (err) {
      // A header edit cannot go on the wire: the response is unusable.
      ex.abortUpstream(err as Error);
      this.#fail(ex, new Failure("UPSTREAM_BAD_RESPONSE", null, err));
      return false;
    }
  }

  /** `response_body_filter` on the held answer, then it is sent (or replaced by a policy's answer). */
  #inspectResponse(ex: Exchange, complete: boolean): void {
    const res = ex.held!;
    const chunks = ex.heldBody!;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, ex.heldBytes);
    ex.held = null;
    ex.heldBody = null;
    let v: ReturnType<typeof responseBodyFilter>;
    try {
      v = responseBodyFilter(ex, body, complete);
    } catch (err) {
      ex.abortUpstream(REPLACED);
      this.#fail(ex, new Failure("INTERNAL", null, err));
      return;
    }
    const go = (out: PhaseOutcome) => {
      if (ex.clientClosed || ex.errorCode !== undefined) return;
      if (out !== undefined) {
        if (!complete) ex.abortUpstream(REPLACED);
        this.#answer(ex, out);
        return;
      }
      if (!this.#writeUpstreamHead(ex, res, res.upstream as ResponseHead)) return;
      const d = ex.downstream;
      ex.responseBytes += body.length;
      if (complete) {
        d.end(body);
        return;
      }
      if (body.length > 0) d.write(body);
      ex.resumeUpstream();
    };
    if (v instanceof Promise)
      v.then(go, (err: unknown) => {
        ex.abortUpstream(REPLACED);
        this.#fail(ex, new Failure("INTERNAL", null, err));
      });
    else go(v);
  }
}

function isFields(v: ResponseFields | Failure | Reply): v is ResponseFields {
  return v instanceof ResponseFields;
}
