import type { PolicyInstance } from "../policies/types.js";
import type { Router } from "../router/router.js";
import type { SniTable } from "../tls/sni-table.js";
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
}

/** A compiled route: where it goes and what runs on the way. */
export interface CompiledRoute {
  readonly id: string;
  readonly name: string;
  /** `route/<id>`. */
  readonly resource: string;
  readonly upstream: CompiledUpstream;
  /** Run in this order in `request_filter`. */
  readonly policies: readonly PolicyInstance[];
  readonly stripPrefix: boolean;
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
  /** Pool keys of all targets, for the pool manager's `retain`. */
  readonly poolKeys: ReadonlySet<string>;
  /** Server name → certificate of the HTTPS listener. */
  readonly sni: SniTable;
  /** Cache keys of the TLS contexts in use, for `SecureContextCache.retain`. */
  readonly tlsContextKeys: ReadonlySet<string>;
}
