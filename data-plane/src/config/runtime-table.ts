import type { Consumer, Policy, Route, TelemetrySettings, Upstream } from "@palisade/proto";
import type { FieldNameSet } from "../http/bytes.js";
import type { ConsumerIndex } from "../policies/auth/consumers.js";
import type { Policy as PolicyInstance } from "../policies/contract.js";
import type { PathOptions } from "../router/path.js";
import type { Router } from "../router/router.js";
import type { SniTable } from "../tls/sni-table.js";
import type { Balancer } from "../upstream/balancer.js";
import type { UpstreamCounters, UpstreamDispatch } from "../upstream/dispatch/upstream-call.js";
import type { HashOnSpec } from "../upstream/hash-key.js";
import type { PoolSpec } from "../upstream/pool-manager.js";
import type { TargetHealth, UpstreamHealth } from "../upstream/target-health.js";
import type { TimeoutsMs } from "../upstream/timeouts.js";
import type { ActiveCheckSettings, BreakerSettings, RetrySettings } from "../upstream/upstream-settings.js";
import type { CompiledAnomaly } from "./compile-anomaly.js";
import type { CompiledRuleSetInfo, CompiledWaf, RouteWaf } from "./compile-waf.js";
import type { HostPolicies } from "./host-policies.js";

/** One target of a compiled upstream. */
export interface CompiledTarget {
  /** Index in its upstream's `targets` (the balancer's unit). */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** `http://host:port` or `https://host:port`. */
  readonly origin: string;
  /** The `Host` header sent upstream: `host:port`, port omitted when it is the scheme default. */
  readonly hostHeader: string;
  /** Its pool (with the upstream's connect timeout). */
  readonly pool: PoolSpec;
  /** Shared with the UpstreamRuntime: outlives this table while the target stays. */
  readonly health: TargetHealth;
}

/** A compiled upstream: targets, the balancer over them, the upstream client chain, settings. */
export interface CompiledUpstream {
  readonly id: string;
  readonly name: string;
  /** `upstream/<name>`. */
  readonly resource: string;
  readonly scheme: "http" | "https";
  readonly targets: readonly CompiledTarget[];
  readonly balancer: Balancer;
  /** The request key the ring hash balances on, `null` for other algorithms. */
  readonly hashOn: HashOnSpec | null;
  readonly timeouts: TimeoutsMs;
  /** The message it was compiled from (a later compile reuses this upstream when it is the same object). */
  readonly source: Upstream;
  /** The upstream client: circuit breaker → total timeout → retry → attempt → pool. */
  readonly dispatch: UpstreamDispatch;
  /** In-flight counts, shared across tables. */
  readonly counters: UpstreamCounters;
  /** Targets' health in index order, and the passive outlier settings. */
  readonly health: UpstreamHealth;
  readonly activeCheck: ActiveCheckSettings | null;
  readonly retries: RetrySettings;
  readonly breaker: BreakerSettings;
  /** Base path every forwarded path goes under, without a trailing slash (`""` = none). */
  readonly pathPrefix: string;
}

/** An upstream a route's traffic split may choose, with the route's timeout overrides applied to it. */
export interface RouteUpstream {
  readonly upstream: CompiledUpstream;
  /** The upstream's timeouts with the route's overrides. */
  readonly timeouts: TimeoutsMs;
  /** Pool specs per target index when the route overrides the connect timeout, else `null`. */
  readonly poolSpecs: readonly PoolSpec[] | null;
}

/** A compiled route: where it goes and what runs on the way. */
export interface CompiledRoute {
  readonly id: string;
  readonly name: string;
  /** `route/<name>`. */
  readonly resource: string;
  readonly upstream: CompiledUpstream;
  /** Run in this order in `request_filter`: the snapshot's global policies, then the route's. */
  readonly policies: readonly PolicyInstance[];
  /**
   * The chain a CORS preflight runs: `policies` without authentication policies, up to and
   * including the first `cors` policy; `null` when the chain has no cors policy (a preflight is
   * then an ordinary OPTIONS request).
   */
  readonly preflight: readonly PolicyInstance[] | null;
  /** The policies of `policies` that have each hook, in chain order (the loop walks only these). */
  readonly hooks: RouteHooks;
  /**
   * The route's body limit as its policies and its own `max_body_bytes` decide it, bytes: -1 for
   * none; `null` when neither sets one (the table's `RequestSettings.max_body_bytes`, else the
   * node's `--max-body-bytes` applies). A `maxRequestBodyBytes` policy replaces the default (also
   * upwards); when the route sets one too, the smaller applies; the route's 0 alone means none.
   */
  readonly bodyLimit: number | null;
  readonly stripPrefix: boolean;
  /** The message it was compiled from (see `CompileOptions.previous`). */
  readonly source: Route;
  /** Replaces the matched prefix (`null`: none). */
  readonly prefixRewrite: string | null;
  /** Send the client's `Host` upstream. */
  readonly preserveHost: boolean;
  /** The upstream's timeouts with this route's overrides. */
  readonly timeouts: TimeoutsMs;
  /** Pool specs per target index when the route overrides the connect timeout, else `null`. */
  readonly poolSpecs: readonly PoolSpec[] | null;
  /** Merge repeated slashes (route setting, else the snapshot's). */
  readonly mergeSlashes: boolean;
  /** Accept `%2F` (kept encoded, matched as `/`). */
  readonly allowEncodedSlashes: boolean;
  /** Escaped bytes refused by default that this route forwards (`allow_encoded`, 0x2F with `allowEncodedSlashes`). */
  readonly allowEncoded: ReadonlySet<number>;
  /** What this route refuses beyond the defaults (`refuse_encoded`): upper-case escapes (`%23`) and `;`. */
  readonly refuseEncoded: readonly string[];
  /**
   * The route's own request body limit in bytes (`max_body_bytes`; 0 = none), or `null` to
   * follow the table's, then the node's default. A `request-size` policy's limit replaces it
   * when it is unset, and the smaller of the two applies when both are set.
   */
  readonly maxBodyBytes: number | null;
  /**
   * The other upstreams the route's `canary` policy may choose, by id (empty without one); the
   * route's own upstream is never in it.
   */
  readonly alternates: ReadonlyMap<string, RouteUpstream>;
  /**
   * The WAF this route runs (issue 14): its own waf policy, else the global one, compiled with
   * the exclusions that apply on this route; `null` without one. Its policy instance
   * (policies/waf/) is the last link of {@link policies}.
   */
  readonly waf: RouteWaf | null;
}

/** A route's policies that have each hook (contract.ts `PhaseHooks`), in chain order, and the body sizes they inspect. */
export interface RouteHooks {
  readonly requestHeaders: readonly PolicyInstance[];
  readonly requestBody: readonly PolicyInstance[];
  readonly upstreamRequest: readonly PolicyInstance[];
  readonly responseHeaders: readonly PolicyInstance[];
  readonly responseBody: readonly PolicyInstance[];
  readonly log: readonly PolicyInstance[];
  /** Request body bytes read before forwarding for the `requestBody` hooks (the largest they ask), 0 for none. */
  readonly inspectRequestBytes: number;
  /** Response body bytes held before sending for the `responseBody` hooks, 0 for none. */
  readonly inspectResponseBytes: number;
}

/**
 * Everything a node serves from, built by `compile` from one snapshot. Immutable: it is swapped
 * in with one reference assignment and requests finish on the table they started with.
 */
export interface RuntimeTable {
  readonly version: bigint;
  readonly hash: string;
  readonly router: Router<CompiledRoute>;
  /** Routes by id (built on first use: the request path never needs it). */
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  /** Routes in snapshot order (by id): what a later compile walks beside the new snapshot. */
  readonly routeList: readonly CompiledRoute[];
  readonly upstreams: ReadonlyMap<string, CompiledUpstream>;
  readonly policies: ReadonlyMap<string, PolicyInstance>;
  /** The policy messages the instances were compiled from, by id. */
  readonly policySources: ReadonlyMap<string, Policy>;
  /** Consumers and their credentials, indexed. */
  readonly consumers: ConsumerIndex;
  /** The consumer messages the index was built from, in snapshot order (a later compile reuses it when equal). */
  readonly consumerSources: readonly Consumer[];
  /** The global policies, in order (a later compile compares them to reuse routes). */
  readonly globalPolicies: readonly PolicyInstance[];
  /** `RequestSettings.merge_slashes` the routes were compiled with. */
  readonly mergeSlashesDefault: boolean;
  /** The global policies' hooks: their `responseHeaders` decorate the node's answers for requests no route matched. */
  readonly globalHooks: RouteHooks;
  /** How request paths are read before routing: the most permissive of all routes' settings. */
  readonly pathOptions: PathOptions;
  /**
   * `RequestSettings.max_body_bytes`: the body limit of routes without their own (bytes, 0 =
   * none), or `null` for the node's default (`--max-body-bytes`).
   */
  readonly maxBodyBytes: number | null;
  /**
   * Lower-case names of the headers policies assert to upstreams (claim headers, …): removed
   * from every client request on every route before policies set them (case C21).
   */
  readonly identityHeaders: readonly string[];
  /**
   * The client's fields never forwarded upstream on this table: hop-by-hop, the forwarding and
   * identity headers the node sets itself, and {@link identityHeaders}; matched on raw bytes.
   */
  readonly requestDrop: FieldNameSet;
  /** Host names that require a client certificate on every route that serves them. */
  readonly hostPolicies: HostPolicies;
  /** Pool keys of all targets (and route overrides), for the pool manager's `retain`. */
  readonly poolKeys: ReadonlySet<string>;
  /** Server name → certificate of the HTTPS listener. */
  readonly sni: SniTable;
  /** Cache keys of the TLS contexts in use, for `SecureContextCache.retain`. */
  readonly tlsContextKeys: ReadonlySet<string>;
  /**
   * The snapshot's telemetry resource (SIEM sinks, per-node overrides, secret names), checked;
   * `null` when the snapshot has none. Data for the node's SIEM shipper: `sinksForNode`,
   * `redactionOf` (@palisade/events).
   */
  readonly telemetry: TelemetrySettings | null;
  /** Anomaly detection (thresholds, mode), checked; `null` when it is off (anomaly/anomaly-node.ts). */
  readonly anomaly: CompiledAnomaly | null;
  /** WAF rule sets of the snapshot by id, verified against their content hash and parsed. */
  readonly ruleSets: ReadonlyMap<string, CompiledRuleSetInfo>;
  /** Waf policies by id (not in `policies`: each route runs its WAF's own instance, last in its chain). */
  readonly wafPolicies: ReadonlyMap<string, CompiledWaf>;
  /** The global waf policy (a route without its own runs it), or `null`. */
  readonly globalWaf: CompiledWaf | null;
  /** Cache keys of the compiled rule sets in use, for `WafCache.retain`. */
  readonly wafKeys: ReadonlySet<string>;
}
