/**
 * IPC between a cluster primary and its workers (node:cluster, `serialization: "advanced"`, so
 * snapshot bytes travel as a Uint8Array and versions as bigint). Applying a config is two-phase:
 * every worker compiles (`prepare`) and answers; only when all have compiled does the primary
 * tell them to swap (`commit`), so a fleet node never runs two versions across its workers.
 */

import type { PalisadeEvent } from "@palisade/events";
import type { DecisionChange } from "../anomaly/decision-proto.js";
import type { SecurityEvent } from "../events/security-events.js";
import type { Refusal } from "../sync/config-applier.js";
import type { RouteShadowRaw } from "../telemetry/shadow-stats.js";
import type { TrafficCounters } from "../telemetry/traffic-stats.js";
import type { UpstreamStatsRow } from "../telemetry/upstream-stats.js";
import type { RouteWafRaw } from "../telemetry/waf-stats.js";

/** How often a worker sends its traffic counters to the primary, ms (only when they changed). */
export const TELEMETRY_INTERVAL_MS = 250;

/** A compile refusal, as it goes into the NACK. */
export type RefusalDetail = Refusal;

/** Primary → worker. */
export type ToWorker =
  /** Compile this snapshot and hold it; answer `prepared` or `refused`. */
  | { readonly t: "prepare"; readonly seq: number; readonly version: bigint; readonly snapshot: Uint8Array }
  /** Swap in the table prepared under `seq`; answer `committed`. */
  | { readonly t: "commit"; readonly seq: number }
  /** Drop the table prepared under `seq`. */
  | { readonly t: "abort"; readonly seq: number }
  /** A worker that joined late: compile and swap at once; answer `committed` or `refused`. */
  | { readonly t: "apply"; readonly seq: number; readonly version: bigint; readonly snapshot: Uint8Array }
  /** Same content, new version number. */
  | { readonly t: "relabel"; readonly version: bigint }
  /** Anomaly decisions to enforce (the whole list when `full`, e.g. to a worker that just started). */
  | { readonly t: "anomaly-decisions"; readonly change: DecisionChange }
  /** Bind the shared listeners and start serving (sent once the worker serves the committed config). */
  | { readonly t: "listen" }
  /** Drain and exit 0. */
  | { readonly t: "shutdown"; readonly deadlineMs: number };

/** Worker → primary. */
export type FromWorker =
  | {
      readonly t: "listening";
      readonly listener: string;
      readonly address: string;
      readonly port: number;
      readonly family: string;
    }
  /** The worker runs and takes configs; it binds nothing until told to `listen`. */
  | { readonly t: "started" }
  /** The worker is bound to the listeners and serving. */
  | { readonly t: "ready" }
  | { readonly t: "failed"; readonly error: string }
  | { readonly t: "prepared"; readonly seq: number }
  | { readonly t: "refused"; readonly seq: number; readonly error: RefusalDetail }
  | { readonly t: "committed"; readonly seq: number; readonly version: bigint }
  /** The worker's anomaly detector summary (binary, @palisade/anomaly `encodeSummary`), every 5 s. */
  | { readonly t: "anomaly-summary"; readonly bytes: Uint8Array }
  /** Security events the worker's proxy emitted (one batch), for the node's channel. */
  | { readonly t: "security-events"; readonly events: readonly SecurityEvent[] }
  /** Events recorded whole on the worker (`SecurityEvents.record`: anomaly, WAF), for the node's channel. */
  | { readonly t: "security-records"; readonly events: readonly PalisadeEvent[] }
  /**
   * The worker's traffic since it started (CUMULATIVE counters, so the primary keeps the last
   * one and sums): every TELEMETRY_INTERVAL_MS while they change, and once after draining. No
   * message per request.
   */
  | {
      readonly t: "telemetry";
      readonly traffic: TrafficCounters;
      /** Open client connections, now. */
      readonly activeConnections: number;
      readonly shadow: readonly RouteShadowRaw[];
      /** Cumulative WAF counters per route (mergeable by addition). */
      readonly waf: readonly RouteWafRaw[];
      /** Upstream health, breaker and retry figures (mergeUpstreamStats). */
      readonly upstreams: readonly UpstreamStatsRow[];
    };
