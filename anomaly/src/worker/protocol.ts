import type { Detection } from "../detect/detection.js";
import type { ThresholdConfig } from "../detect/thresholds.js";
import type { EngineNames, EngineStats } from "../engine.js";

/** What the detector worker starts with (`workerData`). */
export interface WorkerInit {
  readonly ring: SharedArrayBuffer;
  readonly nodeId: string;
  readonly region: string;
  readonly names: EngineNames;
  readonly thresholds: ThresholdConfig;
  /** Tracked clients (power of two). */
  readonly clientCapacity: number;
  /** How often the worker reads the ring, ms. */
  readonly pollMs: number;
  /** How often it sends a summary, ms. */
  readonly summaryIntervalMs: number;
}

/** Host → worker. */
export type ToWorker =
  | { readonly type: "config"; readonly names: EngineNames; readonly thresholds: ThresholdConfig }
  | { readonly type: "stop" };

/** Worker → host. */
export type FromWorker =
  | { readonly type: "detection"; readonly detection: Detection }
  | { readonly type: "summary"; readonly bytes: Uint8Array }
  | { readonly type: "stats"; readonly stats: EngineStats }
  | { readonly type: "config-error"; readonly code: string; readonly field: string; readonly detail: string };
