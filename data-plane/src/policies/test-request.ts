// Test helper: a request as the proxy hands it to a policy's hooks, built from a few fields, and
// the hooks run on it with their effects recorded (unit tests of policies only).
import type { TLSSocket } from "node:tls";
import { type FieldList, fieldListOf } from "../http/field-list.js";
import type { HeaderValues } from "../http/headers.js";
import { ResponseFields } from "../http/response-fields.js";
import { type RequestView, requestView } from "../request/request-view.js";
import type {
  Authentication,
  ConsumerRef,
  CredentialEdits,
  Policy,
  PolicyEvent,
  PolicyExchange,
  Refusal,
  Reply,
  Verdict,
} from "./contract.js";

/** Fields a policy test may set; everything else gets a plain default. */
export interface TestRequestInit {
  method?: string;
  path?: string;
  query?: string;
  host?: string;
  clientAddress?: string;
  /** Header values; an array becomes one line per element. */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Header lines as received (`[name, value, …]`), instead of `headers`. */
  rawHeaders?: readonly string[];
  routeId?: string;
  consumer?: ConsumerRef | null;
  /** `"1.1"` unless given (`"2.0"`: an HTTP/2 request). */
  httpVersion?: string;
  socket?: TLSSocket | { readonly encrypted?: undefined };
}

/** A request with what the policies' hooks did to it: the authentications, the upstream chosen, their state. */
export class TestExchange implements PolicyExchange {
  readonly method: string;
  readonly path: string;
  query: string;
  readonly view: RequestView;
  readonly routeId: string;
  consumer: ConsumerRef | null;
  readonly fields: FieldList;
  readonly socket: TLSSocket | { readonly encrypted?: undefined } | undefined;
  /** Authentications recorded, in order. */
  readonly authentications: Authentication[] = [];
  /** The upstream a policy chose (`routeTo`), `null` when none did. */
  upstream: string | null = null;
  /** Security events the policies emitted themselves (`securityEvent`), in order. */
  readonly events: PolicyEvent[] = [];
  readonly requestTarget: string;
  readonly httpVersion: string;
  readonly #state = new Map<Policy, unknown>();
  #headers: HeaderValues | undefined;

  constructor(init: TestRequestInit = {}) {
    const path = init.path ?? "/";
    this.view = requestView({
      method: init.method ?? "GET",
      path,
      matchPath: path,
      query: init.query ?? "",
      host: init.host ?? "api.example.test",
      authority: init.host ?? "api.example.test",
      clientAddress: init.clientAddress ?? "203.0.113.50",
      peerAddress: init.clientAddress ?? "203.0.113.50",
      peerTrusted: false,
      forwardedFor: [init.clientAddress ?? "203.0.113.50"],
    });
    this.method = this.view.method;
    this.path = path;
    this.query = this.view.query;
    this.routeId = init.routeId ?? "route-1";
    this.consumer = init.consumer ?? null;
    const pairs: string[] = [];
    if (init.rawHeaders !== undefined) pairs.push(...init.rawHeaders);
    else
      for (const [name, v] of Object.entries(init.headers ?? {}))
        for (const one of typeof v === "string" ? [v] : v) pairs.push(name, one);
    this.fields = fieldListOf(pairs);
    this.socket = init.socket;
    this.requestTarget = `${path}${this.query}`;
    this.httpVersion = init.httpVersion ?? "1.1";
  }

  get headers(): HeaderValues {
    this.#headers ??= this.fields.toObject();
    return this.#headers;
  }

  authenticated(auth: Authentication): void {
    this.authentications.push(auth);
    if (this.consumer === null && auth.consumer !== null) this.consumer = auth.consumer;
  }

  routeTo(upstreamId: string): void {
    this.upstream = upstreamId;
  }

  stateOf(policy: Policy): unknown {
    return this.#state.get(policy);
  }

  setState(policy: Policy, state: unknown): void {
    this.#state.set(policy, state);
  }

  securityEvent(_policy: Policy, event: PolicyEvent): void {
    this.events.push(event);
  }

  /** The upstream header edits of every authentication, merged in order (`null` when none edited). */
  get upstreamHeaders(): Record<string, string | null> | null {
    let out: Record<string, string | null> | null = null;
    for (const a of this.authentications)
      if (a.upstreamHeaders !== null) out = Object.assign(out ?? {}, a.upstreamHeaders);
    return out;
  }
}

/** A request as the proxy would hand it to a policy. */
export function testRequest(init: TestRequestInit = {}): TestExchange {
  return new TestExchange(init);
}

/** Runs a policy's `requestHeaders` hook (CONTINUE when it has none). */
export async function requestHook(policy: Policy, ex: TestExchange = testRequest()): Promise<Verdict> {
  return policy.requestHeaders === undefined ? undefined : await policy.requestHeaders(ex);
}

/**
 * Runs a policy's `responseHeaders` hook on an answer of `status` carrying `upstream`'s header
 * lines (the node's own answer when `upstream` is `null`).
 * @returns the headers the client would get, as an object
 */
export function responseHook(
  policy: Policy,
  ex: TestExchange,
  status: number,
  upstream: Readonly<Record<string, string | readonly string[]>> | null,
): Record<string, string | string[]> {
  const pairs: string[] = [];
  if (upstream !== null)
    for (const [name, v] of Object.entries(upstream))
      for (const one of typeof v === "string" ? [v] : v) pairs.push(name, one);
  const res = new ResponseFields(status, upstream === null ? null : fieldListOf(pairs), null);
  policy.responseHeaders?.(ex, res);
  return res.toObject();
}

/** The code of a verdict or authentication: `CONTINUE`, `REPLY`, `AUTHENTICATED` or the refusal's error code. */
export function verdictCode(v: Verdict | Authentication): string {
  if (v === undefined) return "CONTINUE";
  if (v.kind === "reply") return "REPLY";
  if (v.kind === "authentication") return "AUTHENTICATED";
  return v.code;
}

/** The refusal, or a failed assertion. */
export function asRefusal(v: Verdict | Authentication | CredentialEdits): Refusal {
  if (v === undefined || !("kind" in v) || v.kind !== "refusal")
    throw new Error(`expected a refusal, got ${JSON.stringify(v)}`);
  return v;
}

/** The authentication, or a failed assertion. */
export function asAuthentication(v: Authentication | Refusal): Authentication {
  if (v.kind !== "authentication") throw new Error(`expected an authentication, got ${v.code} (${v.reason})`);
  return v;
}

/** The reply, or a failed assertion. */
export function asReply(v: Verdict): Reply {
  if (v === undefined || v.kind !== "reply") throw new Error(`expected a reply, got ${JSON.stringify(v)}`);
  return v;
}

/** An authentication method's result in one flat shape (tests of authentication policies). */
export type AuthOutcome =
  | {
      readonly allow: true;
      readonly upstreamHeaders: Authentication["upstreamHeaders"];
      readonly stripQuery: readonly string[] | null;
      readonly authMethod: string;
      readonly consumer: ConsumerRef | null;
    }
  | {
      readonly allow: false;
      readonly code: Refusal["code"];
      readonly reason: Refusal["reason"];
      readonly responseHeaders: Refusal["headers"];
      readonly consumer?: ConsumerRef | null;
      readonly field?: string;
    };

const flattened = new WeakMap<Authentication | Refusal, AuthOutcome>();

/** Flattens an authentication or a refusal (see {@link AuthOutcome}); the same result gives the same object. */
export function toOutcome(r: Authentication | Refusal): AuthOutcome {
  let o = flattened.get(r);
  if (o === undefined) {
    o = flatten(r);
    flattened.set(r, o);
  }
  return o;
}

function flatten(r: Authentication | Refusal): AuthOutcome {
  if (r.kind === "authentication")
    return {
      allow: true,
      upstreamHeaders: r.upstreamHeaders,
      stripQuery: r.stripQuery,
      authMethod: r.authMethod,
      consumer: r.consumer,
    };
  return {
    allow: false,
    code: r.code,
    reason: r.reason,
    responseHeaders: r.headers,
    ...(r.consumer !== undefined ? { consumer: r.consumer } : {}),
    ...(r.field !== undefined ? { field: r.field } : {}),
  };
}

/** Runs an authentication policy's method on a request (its `authenticates` trait). */
export function authOutcome(p: Policy, req: TestExchange): AuthOutcome | Promise<AuthOutcome> {
  const auth = p.traits.authenticates;
  if (auth === undefined) throw new Error(`${p.type} does not authenticate`);
  const r = auth.authenticate(req);
  return r instanceof Promise ? r.then(toOutcome) : toOutcome(r);
}
