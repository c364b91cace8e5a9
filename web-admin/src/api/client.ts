/**
 * The web admin's only HTTP client: every call to the admin REST API goes
 * through `ApiClient`, which adds the bearer token (held in memory by the
 * caller, never put in a URL), says the call comes from the UI
 * (`X-Palisade-Client: web-admin`, shown in the audit log), and turns every
 * failure into an `ApiError` with the API's stable code and the field at fault.
 */
import { type NodeWire, type RegionWire, toFleetNode, toRegion } from "./fleet-shapes.ts";
import type {
  AnomalyBaseline,
  AnomalyBlock,
  AnomalyDecision,
  AnomalyDetection,
  AnomalyStatus,
  ApiErrorBody,
  ApiToken,
  AuditEntry,
  AuditQuery,
  BodyOf,
  Credential,
  Deploy,
  Draft,
  FleetNode,
  NewTokenBody,
  Page,
  PublishResult,
  Region,
  ResourceKind,
  ResourceOf,
  ResyncResult,
  Role,
  Rollout,
  RolloutAction,
  RolloutList,
  RuleLookup,
  RuleSet,
  SecurityEventItem,
  SecurityEventQuery,
  SecurityEventSummary,
  StartRollout,
  TelemetryConfig,
  TokenSelf,
  VersionDetail,
  VersionList,
  WafReport,
} from "./types.ts";

/** Requests give up after this long (ms); polling retries with backoff. */
const TIMEOUT_MS = 15_000;

/**
 * A failed API call. `status` 0 means the control plane could not be reached;
 * `code` is the API's stable error code (`VALIDATION_FAILED`, `NOT_FOUND`, …) or
 * `NETWORK` / `BAD_ANSWER`; `field` is the dotted path of the body field at fault.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The endpoint itself does not exist on this control plane (an older or smaller build). */
  get unavailable(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** `GET /v1/info`: what this control plane serves. */
export interface ServerInfo {
  name: string;
  version: string;
  /** `"GET /v1/nodes"`, `"POST /v1/rollouts/:id/:action"`, … */
  endpoints: string[];
  policy_types: string[];
}

/** `GET /v1/x/:id` and `GET /v1/x/:name` are the same endpoint. */
/** `?k=v&…` of the set values, `""` when none. */
function queryOf(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `?${qs}` : "";
}

const normalize = (endpoint: string) => endpoint.replace(/:[^/]+/g, ":");

/** Typed access to `/v1`. One instance per signed-in session. */
export class ApiClient {
  readonly #token: string;
  readonly #onUnauthorized: () => void;
  /**
   * The entity tag of each resource this session read (`GET /v1/routes/orders`), sent back as
   * `If-Match` when it writes that resource: a change someone made in between answers 412
   * PRECONDITION_FAILED instead of being overwritten.
   */
  readonly #etags = new Map<string, string>();
  #info: Promise<{ info: ServerInfo; endpoints: Set<string> } | null> | undefined;

  /**
   * @param token the admin bearer token
   * @param onUnauthorized called when the API answers 401 (the token was revoked or is wrong)
   */
  constructor(token: string, onUnauthorized: () => void = () => {}) {
    this.#token = token;
    this.#onUnauthorized = onUnauthorized;
  }

  async #call<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.#token}`,
      "x-palisade-client": "web-admin",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const resource = path.split("?")[0]!;
    const seen = this.#etags.get(resource);
    if (seen && (method === "PUT" || method === "DELETE")) headers["if-match"] = seen;
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, "NETWORK", "The control plane cannot be reached. Retrying…");
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(res.status, "BAD_ANSWER", `The control plane answered ${res.status} with a non-JSON body.`);
    }
    if (res.ok) {
      const etag = res.headers.get("etag");
      if (etag && (method === "GET" || method === "PUT")) this.#etags.set(resource, etag);
      if (method === "DELETE") this.#etags.delete(resource);
      return json as T;
    }
    if (res.status === 401) this.#onUnauthorized();
    const e = (json as ApiErrorBody | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.field);
  }

  /**
   * What this control plane serves (fetched once per session). `null` when it has no
   * `/v1/info` (an older build): every endpoint is then tried.
   */
  async info(): Promise<ServerInfo | null> {
    return (await this.#loadInfo())?.info ?? null;
  }

  #loadInfo() {
    if (!this.#info) {
      this.#info = this.#call<ServerInfo>("GET", "/v1/info").then(
        (info) => ({ info, endpoints: new Set(info.endpoints.map(normalize)) }),
        (err) => {
          this.#info = undefined;
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        },
      );
    }
    return this.#info;
  }

  /**
   * Whether this control plane serves `endpoint` (`"GET /v1/regions"`); optional
   * endpoints are checked first, so a missing one costs no failing request.
   */
  async has(endpoint: string): Promise<boolean> {
    const got = await this.#loadInfo();
    return got === null || got.endpoints.has(normalize(endpoint));
  }

  /** @throws ApiError NOT_AVAILABLE (404) when this control plane does not serve `endpoint`. */
  async #need(endpoint: string): Promise<void> {
    if (!(await this.has(endpoint)))
      throw new ApiError(404, "NOT_AVAILABLE", `This control plane does not serve ${endpoint}.`);
  }

  /** The route of a draft kind's endpoint, for `has`. */
  static kindEndpoint(method: Method, kind: ResourceKind, withId: boolean): string {
    return `${method} /v1/${kind}${withId ? "/:id" : ""}`;
  }

  /** Checks the token (any authenticated read). @throws ApiError 401 when it is not an admin token. */
  async checkToken(signal?: AbortSignal): Promise<void> {
    await this.#call("GET", "/v1/config/versions?limit=1", undefined, signal);
  }

  // --- draft config ------------------------------------------------------------

  async list<K extends ResourceKind>(kind: K, signal?: AbortSignal): Promise<ResourceOf[K][]> {
    await this.#need(ApiClient.kindEndpoint("GET", kind, false));
    return (await this.#call<Page<ResourceOf[K]>>("GET", `/v1/${kind}`, undefined, signal)).items;
  }
  async get<K extends ResourceKind>(kind: K, idOrName: string, signal?: AbortSignal): Promise<ResourceOf[K]> {
    await this.#need(ApiClient.kindEndpoint("GET", kind, true));
    return this.#call("GET", `/v1/${kind}/${encodeURIComponent(idOrName)}`, undefined, signal);
  }
  create<K extends ResourceKind>(kind: K, body: BodyOf[K]): Promise<ResourceOf[K]> {
    return this.#call("POST", `/v1/${kind}`, body);
  }
  update<K extends ResourceKind>(kind: K, idOrName: string, body: BodyOf[K]): Promise<ResourceOf[K]> {
    return this.#call("PUT", `/v1/${kind}/${encodeURIComponent(idOrName)}`, body);
  }
  async remove(kind: ResourceKind, idOrName: string): Promise<void> {
    await this.#call("DELETE", `/v1/${kind}/${encodeURIComponent(idOrName)}`);
  }

  /** (later) Credentials of a consumer. */
  async credentials(consumer: string, signal?: AbortSignal): Promise<Credential[]> {
    await this.#need("GET /v1/consumers/:id/credentials");
    return (
      await this.#call<Page<Credential>>(
        "GET",
        `/v1/consumers/${encodeURIComponent(consumer)}/credentials`,
        undefined,
        signal,
      )
    ).items;
  }
  /** (later) Creates a credential; an API key's secret is in this answer only. */
  createCredential(consumer: string, body: Record<string, unknown>): Promise<Credential> {
    return this.#call("POST", `/v1/consumers/${encodeURIComponent(consumer)}/credentials`, body);
  }
  async removeCredential(consumer: string, id: string): Promise<void> {
    await this.#call("DELETE", `/v1/consumers/${encodeURIComponent(consumer)}/credentials/${encodeURIComponent(id)}`);
  }

  // --- versions ----------------------------------------------------------------

  draft(signal?: AbortSignal): Promise<Draft> {
    return this.#call("GET", "/v1/config/draft", undefined, signal);
  }
  /** Versions newest first with `stable_version` (what nodes outside a rollout run). */
  versionList(limit = 200, signal?: AbortSignal): Promise<VersionList> {
    return this.#call("GET", `/v1/config/versions?limit=${limit}`, undefined, signal);
  }
  version(n: number, signal?: AbortSignal): Promise<VersionDetail> {
    return this.#call("GET", `/v1/config/versions/${n}`, undefined, signal);
  }
  /**
   * Publishes the draft; `created: false` when nothing changed since the latest version.
   * `deploy` "all" (the API's default) makes it the version every node runs now; "none" only
   * stores it, for a rollout. Sent only when given, so a control plane without rollouts works.
   * @throws ApiError 409 ROLLOUT_ACTIVE (naming the rollout) when deploying to all while a rollout runs
   */
  publish(message: string, deploy?: Deploy): Promise<PublishResult> {
    return this.#call("POST", "/v1/config/versions", { message, ...(deploy ? { deploy } : {}) });
  }

  // --- fleet -------------------------------------------------------------------

  async nodes(signal?: AbortSignal): Promise<FleetNode[]> {
    return (await this.#call<Page<NodeWire>>("GET", "/v1/nodes", undefined, signal)).items.map(toFleetNode);
  }
  async node(id: string, signal?: AbortSignal): Promise<FleetNode> {
    return toFleetNode(await this.#call<NodeWire>("GET", `/v1/nodes/${encodeURIComponent(id)}`, undefined, signal));
  }
  /**
   * Makes a node compile its desired version from scratch: the control plane sends it whole,
   * even a version the node refused (control-plane/README.md "Fleet endpoints").
   * @throws ApiError 409 NODE_NOT_CONNECTED (no open stream), NODE_BLOCKED, NO_CONFIG; 404
   */
  async resync(id: string): Promise<ResyncResult> {
    await this.#need("POST /v1/nodes/:id/resync");
    return (await this.#call<{ resync: ResyncResult }>("POST", `/v1/nodes/${encodeURIComponent(id)}/resync`, {}))
      .resync;
  }
  /** @throws ApiError with `unavailable` when this control plane has no region view. */
  async regions(signal?: AbortSignal): Promise<Region[]> {
    await this.#need("GET /v1/regions");
    return (await this.#call<Page<RegionWire>>("GET", "/v1/regions", undefined, signal)).items.map(toRegion);
  }

  // --- rollouts -----------------------------------------------------------------

  /** Rollouts newest first (without events) and the stable version. */
  async rollouts(signal?: AbortSignal): Promise<RolloutList> {
    await this.#need("GET /v1/rollouts");
    return this.#call<RolloutList>("GET", "/v1/rollouts", undefined, signal);
  }
  async rollout(id: string, signal?: AbortSignal): Promise<Rollout> {
    await this.#need("GET /v1/rollouts/:id");
    return this.#call("GET", `/v1/rollouts/${encodeURIComponent(id)}`, undefined, signal);
  }
  /** @throws ApiError 400 VALIDATION_FAILED with `field` (`strategy.stages.0.soak_s`, `gates.0.threshold`), 409 ROLLOUT_ACTIVE */
  startRollout(body: StartRollout): Promise<Rollout> {
    return this.#call("POST", "/v1/rollouts", body);
  }
  /** @throws ApiError 409 ROLLOUT_STATE when the action does not apply to the rollout's state */
  rolloutAction(id: string, action: RolloutAction): Promise<Rollout> {
    return this.#call("POST", `/v1/rollouts/${encodeURIComponent(id)}/${action}`, {});
  }

  // --- tokens and roles ------------------------------------------------------------

  /** The signed-in token: its role, permissions and bounds. */
  async self(signal?: AbortSignal): Promise<TokenSelf | null> {
    if (!(await this.has("GET /v1/tokens/self"))) return null;
    return this.#call("GET", "/v1/tokens/self", undefined, signal);
  }
  async tokens(signal?: AbortSignal): Promise<ApiToken[]> {
    await this.#need("GET /v1/tokens");
    return (await this.#call<Page<ApiToken>>("GET", "/v1/tokens", undefined, signal)).items;
  }
  /** Creates a token; its secret is in this answer only. */
  createToken(body: NewTokenBody): Promise<ApiToken> {
    return this.#call("POST", "/v1/tokens", body);
  }
  /** Gives a token a new secret (in this answer only); the old one stops working. */
  rotateToken(id: string): Promise<ApiToken> {
    return this.#call("POST", `/v1/tokens/${encodeURIComponent(id)}/rotate`, {});
  }
  async revokeToken(id: string): Promise<void> {
    await this.#call("DELETE", `/v1/tokens/${encodeURIComponent(id)}`);
  }
  async roles(signal?: AbortSignal): Promise<Role[]> {
    return (await this.#call<Page<Role>>("GET", "/v1/roles", undefined, signal)).items;
  }

  // --- WAF (issue 14) -------------------------------------------------------------

  /** WAF rule sets (the bundled one first). @throws ApiError with `unavailable` on a control plane without them. */
  async ruleSets(signal?: AbortSignal): Promise<RuleSet[]> {
    await this.#need("GET /v1/rule-sets");
    const items = (await this.#call<Page<RuleSet>>("GET", "/v1/rule-sets", undefined, signal)).items;
    return items.sort((a, b) => Number(b.default) - Number(a.default) || a.name.localeCompare(b.name));
  }
  /** Rules of a rule set matching `q` (an id or its start, or words of the message and tags). */
  async ruleLookup(ruleSet: string, q: string, limit = 25, signal?: AbortSignal): Promise<RuleLookup> {
    await this.#need("GET /v1/rule-sets/:id/rules");
    const qs = new URLSearchParams({ q, limit: String(limit) }).toString();
    return this.#call("GET", `/v1/rule-sets/${encodeURIComponent(ruleSet)}/rules?${qs}`, undefined, signal);
  }
  /** What the nodes' WAFs did per route over the last `windowS` seconds. */
  async wafReport(windowS: number, signal?: AbortSignal): Promise<WafReport> {
    await this.#need("GET /v1/security/waf");
    return this.#call("GET", `/v1/security/waf?window_s=${windowS}`, undefined, signal);
  }

  // --- anomaly detection ----------------------------------------------------------------

  /** Mode and counters of anomaly detection. @throws ApiError with `unavailable` on a control plane without it. */
  async anomalyStatus(signal?: AbortSignal): Promise<AnomalyStatus> {
    await this.#need("GET /v1/anomalies");
    return this.#call("GET", "/v1/anomalies", undefined, signal);
  }
  async anomalyDetections(limit = 50, signal?: AbortSignal): Promise<AnomalyDetection[]> {
    return (
      await this.#call<{ items: AnomalyDetection[] }>(
        "GET",
        `/v1/anomalies/detections?limit=${limit}`,
        undefined,
        signal,
      )
    ).items;
  }
  async anomalyDecisions(signal?: AbortSignal): Promise<AnomalyDecision[]> {
    return (await this.#call<{ items: AnomalyDecision[] }>("GET", "/v1/anomalies/decisions", undefined, signal)).items;
  }
  async anomalyBaselines(signal?: AbortSignal): Promise<AnomalyBaseline[]> {
    return (await this.#call<{ items: AnomalyBaseline[] }>("GET", "/v1/anomalies/baselines", undefined, signal)).items;
  }
  /** Blocks (or throttles) a client on every node. */
  async blockClient(b: AnomalyBlock): Promise<AnomalyDecision> {
    return this.#call("POST", "/v1/anomalies/decisions", b);
  }
  /** Lifts the decision on a client on every node. */
  async unblockClient(type: string, id: string): Promise<void> {
    await this.#call("DELETE", `/v1/anomalies/decisions/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
  }

  // --- security events and telemetry -----------------------------------------------

  /** One page of security events, newest first (`cursor`: the previous page's `next_cursor`). */
  async securityEvents(
    q: SecurityEventQuery & { limit?: number; cursor?: string },
    signal?: AbortSignal,
  ): Promise<{ items: SecurityEventItem[]; next_cursor: string | null }> {
    await this.#need("GET /v1/security-events");
    return this.#call("GET", `/v1/security-events${queryOf(q)}`, undefined, signal);
  }

  async securityEventSummary(q: SecurityEventQuery, signal?: AbortSignal): Promise<SecurityEventSummary> {
    await this.#need("GET /v1/security-events/summary");
    return this.#call("GET", `/v1/security-events/summary${queryOf(q)}`, undefined, signal);
  }

  /**
   * Opens the live stream (`GET /v1/security-events/stream`, Server-Sent Events) with the token in
   * the Authorization header, which `EventSource` cannot send: the caller reads `body` with
   * lib/event-stream.ts. `lastEventId` resumes after that event.
   */
  async securityEventStream(
    q: SecurityEventQuery,
    lastEventId: number | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    await this.#need("GET /v1/security-events/stream");
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      authorization: `Bearer ${this.#token}`,
      "x-palisade-client": "web-admin",
    };
    if (lastEventId !== undefined) headers["last-event-id"] = String(lastEventId);
    const res = await fetch(`/v1/security-events/stream${queryOf(q)}`, {
      headers,
      signal,
      credentials: "omit",
      cache: "no-store",
    });
    if (res.status === 401) this.#onUnauthorized();
    if (!res.ok || !res.body)
      throw new ApiError(res.status, `HTTP_${res.status}`, "The live event stream was refused.");
    return res;
  }

  telemetry(signal?: AbortSignal): Promise<TelemetryConfig> {
    return this.#call("GET", "/v1/telemetry", undefined, signal);
  }

  putTelemetry(body: TelemetryConfig): Promise<TelemetryConfig> {
    return this.#call("PUT", "/v1/telemetry", body);
  }

  // --- audit -------------------------------------------------------------------

  audit(q: AuditQuery, signal?: AbortSignal): Promise<Page<AuditEntry>> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") params.set(k, String(v));
    const qs = params.toString();
    return this.#call("GET", `/v1/audit${qs ? `?${qs}` : ""}`, undefined, signal);
  }
}

/** `GET /v1/auth/oidc` (public): whether this control plane offers OIDC sign-in. */
export async function oidcInfo(): Promise<{ enabled: boolean; issuer?: string }> {
  try {
    const res = await fetch("/v1/auth/oidc", { headers: { accept: "application/json" }, cache: "no-store" });
    return res.ok ? ((await res.json()) as { enabled: boolean; issuer?: string }) : { enabled: false };
  } catch {
    return { enabled: false };
  }
}

/**
 * Exchanges the single-use code an OIDC sign-in left in the URL fragment for the session token.
 * @throws ApiError 400 when the code is unknown, used or expired
 */
export async function redeemOidc(code: string): Promise<{ token: string; role: string; expires_at: string }> {
  const res = await fetch("/v1/auth/oidc/session", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ code }),
    cache: "no-store",
  });
  const json = (await res.json().catch(() => undefined)) as
    | ApiErrorBody
    | { token: string; role: string; expires_at: string };
  if (!res.ok) {
    const e = (json as ApiErrorBody | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? "sign-in failed");
  }
  return json as { token: string; role: string; expires_at: string };
}
