import type { PolicyInstance } from "../policies/types.js";
import type { PathOptions } from "../router/path.js";
import type { Router } from "../router/router.js";
import type { Balancer } from "../upstream/balancer.js";
import type { PoolTarget } from "../upstream/pool-manager.js";
import type { TimeoutsMs } from "../upstream/timeouts.js";

/** One target of a compiled upstream. */
export interface CompiledTarget extends PoolTarget {
  /** Index in its upstream's `targets` (the balancer's unit). */
  readonly index: number;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** The `Host` header sent upstream: `host:port`, port omitted when it is the scheme default. */
  readonly hostHeader: string;
  readonly timeouts: TimeoutsMs;
}

/** A compiled upstream: targets, the balancer over them, timeouts. */
export interface CompiledUpstream {
  readonly id: string;
  readonly name: string;
  /** `upstream/<id>`. */
  readonly resource: string;
  readonly scheme: "http" | "https";
  readonly targets: readonly CompiledTarget[];
  readonly balancer: Balancer;
  readonly timeouts: TimeoutsMs;
  /** Base path every forwarded path goes under, without a trailing slash (`""` = none). */
  readonly pathPrefix: string;
}

/** A compiled route: where it goes and what runs on the way. */
export interface CompiledRoute {
  readonly id: string;
  readonly name: string;
  /** `route/<id>`. */
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
  /** Policies of `policies` that edit answers (`filterResponse`), in chain order. */
  readonly responsePolicies: readonly PolicyInstance[];
  readonly stripPrefix: boolean;
  /** Merge repeated slashes (route setting, else the snapshot's). */
  readonly mergeSlashes: boolean;
  /** Accept `%2F` (kept encoded, matched as `/`). */
  readonly allowEncodedSlashes: boolean;
}

/**
 * Everything a node serves from, built by `compile` from one snapshot. Immutable: it is swapped
 * in with one reference assignment and requests finish on the table they started with.
 */
export interface RuntimeTable {
  readonly version: bigint;
  readonly hash: string;
  readonly router: Router<CompiledRoute>;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  readonly upstreams: ReadonlyMap<string, CompiledUpstream>;
  readonly policies: ReadonlyMap<string, PolicyInstance>;
  /** Global policies that edit answers: applied to the node's answers for requests no route matched. */
  readonly globalResponsePolicies: readonly PolicyInstance[];
  /** How request paths are read before routing: the most permissive of all routes' settings. */
  readonly pathOptions: PathOptions;
  /** Identity headers any policy sets upstream; stripped from every client request. */
  readonly identityHeaders: readonly string[];
  /** Pool keys of all targets, for the pool manager's `retain`. */
  readonly poolKeys: ReadonlySet<string>;
}
