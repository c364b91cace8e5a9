/**
 * The node summary: what a node sends the control plane every interval (5 s) on the sync
 * stream, in place of raw records. Every part merges across nodes: counts add, HyperLogLog
 * registers take the maximum, count-min counters add, size bins add, client candidates are
 * summed per client. The proposed protobuf message is in anomaly/README.md ("Fleet summary").
 */

/** Summary format version. */
export const SUMMARY_VERSION = 1;
/** HyperLogLog precision of the per-route failing-clients sketch (256 registers, ±6.5 %). */
export const SUMMARY_HLL_P = 8;
/** Count-min shape of the per-interval failures-by-address sketch. */
export const SUMMARY_CMS_WIDTH = 1024;
export const SUMMARY_CMS_DEPTH = 4;

/** Failing clients a node lists per summary at most (all of them in a normal interval). */
export const SUMMARY_FAILING_CLIENTS = 256;

/** Limits a decoder enforces (a summary past any of them is refused). */
export const SUMMARY_LIMITS = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxRoutes: 4096,
  maxUpstreams: 4096,
  maxClients: 1024,
  maxStringBytes: 256,
  maxIntervalMs: 600_000,
});

/** One route's counts over the interval. */
export interface RouteSummary {
  readonly route: string;
  readonly requests: number;
  readonly authFailures: number;
  readonly authDenied: number;
  readonly status4xx: number;
  readonly status5xx: number;
  readonly oversized: number;
  readonly newContentType: number;
  /** HyperLogLog registers (2^SUMMARY_HLL_P bytes) of the addresses that failed authentication. */
  readonly failingClients: Uint8Array;
  /** Request body sizes (sketch/size-sketch.ts bins). */
  readonly sizes: { readonly zeros: number; readonly keys: readonly number[]; readonly counts: readonly number[] };
}

/** One upstream's counts over the interval. */
export interface UpstreamSummary {
  readonly upstream: string;
  readonly requests: number;
  readonly status4xx: number;
  readonly status5xx: number;
}

/** A client worth a look (the busiest, the most failing, the most path-hungry), with its interval counts. */
export interface ClientSummary {
  readonly type: "address" | "consumer" | "credential";
  /** Address text, consumer id, or `cred:<8 hex>`. */
  readonly id: string;
  /** The route it used last. */
  readonly route: string;
  readonly requests: number;
  readonly authFailures: number;
  readonly novelPaths: number;
  /** Longest sequential id walk seen (steps). */
  readonly sequentialRun: number;
  /** 64-bit linear-counting bitmaps (two words) of user agents and addresses over the last 5–10 min. */
  readonly userAgents: readonly [number, number];
  readonly addresses: readonly [number, number];
}

/** The summary of one node over one interval. */
export interface NodeSummary {
  readonly version: number;
  readonly nodeId: string;
  readonly region: string;
  /** Sequence number (per node, +1 each summary). */
  readonly seq: number;
  /** The interval, ms on the node's detector clock. */
  readonly startMs: number;
  readonly endMs: number;
  /** Records read in the interval, and dropped by a full ring since the node started. */
  readonly records: number;
  readonly dropped: number;
  readonly routes: readonly RouteSummary[];
  readonly upstreams: readonly UpstreamSummary[];
  readonly clients: readonly ClientSummary[];
  /** Count-min counters (SUMMARY_CMS_DEPTH rows × SUMMARY_CMS_WIDTH) of auth failures by client address (ClientTable hash words). */
  readonly failures: Uint32Array;
}
