import { Worker } from "node:worker_threads";
import type { Detection } from "../detect/detection.js";
import { type ThresholdConfig, Thresholds } from "../detect/thresholds.js";
import type { EngineNames, EngineStats } from "../engine.js";
import { RecordWriter } from "../record/record-writer.js";
import { createRingBuffer } from "../record/ring.js";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.js";

/** Options of a {@link DetectorHost}. */
export interface DetectorHostOptions {
  readonly nodeId: string;
  readonly region: string;
  readonly names?: EngineNames;
  readonly thresholds?: ThresholdConfig;
  /** Ring capacity in records (power of two); default 65,536 (5 MiB). */
  readonly ringCapacity?: number;
  /** Tracked clients; default 131,072. */
  readonly clientCapacity?: number;
  readonly pollMs?: number;
  readonly summaryIntervalMs?: number;
  readonly onDetection?: (d: Detection) => void;
  /** The encoded node summary (summary/codec.ts), every summary interval. */
  readonly onSummary?: (bytes: Uint8Array) => void;
  /** The worker failed (it is restarted); for the node's log and metrics. */
  readonly onFailure?: (error: Error, restarts: number) => void;
}

/**
 * The proxy thread's side of anomaly detection: owns the ring, hands its writer to the proxy's
 * `logging` phase, and runs the detector worker, restarting it (backoff 0.5 s doubling to 30 s)
 * when it fails. The ring outlives a worker: records written while it restarts wait in the ring
 * (or are dropped and counted when it fills), so a detector failure never touches traffic.
 */
export class DetectorHost {
  readonly ring: SharedArrayBuffer;
  /** Call `writer.write(facts)` once per request in the `logging` phase. */
  readonly writer: RecordWriter;
  readonly #o: DetectorHostOptions;
  #names: EngineNames;
  #thresholds: ThresholdConfig;
  #worker: Worker | undefined;
  #restarts = 0;
  #stopped = false;
  #backoffMs = 500;
  #timer: NodeJS.Timeout | undefined;
  #stats: EngineStats | undefined;

  /** @throws AnomalyError RING_OPTIONS_INVALID / THRESHOLD_INVALID for bad options */
  constructor(o: DetectorHostOptions) {
    this.#o = o;
    this.ring = createRingBuffer(o.ringCapacity ?? 65_536);
    this.writer = new RecordWriter(this.ring);
    this.#names = o.names ?? { routes: [], upstreams: [], consumers: [] };
    this.#thresholds = o.thresholds ?? {};
    new Thresholds(this.#thresholds);
  }

  /** Starts the worker. */
  start(): void {
    this.#stopped = false;
    this.#spawn();
  }

  #spawn(): void {
    const init: WorkerInit = {
      ring: this.ring,
      nodeId: this.#o.nodeId,
      region: this.#o.region,
      names: this.#names,
      thresholds: this.#thresholds,
      clientCapacity: this.#o.clientCapacity ?? 131_072,
      pollMs: this.#o.pollMs ?? 10,
      summaryIntervalMs: this.#o.summaryIntervalMs ?? 5_000,
    };
    const w = new Worker(new URL("./worker-main.js", import.meta.url), { workerData: init });
    w.unref();
    this.#worker = w;
    w.on("message", (m: FromWorker) => {
      this.#backoffMs = 500;
      if (m.type === "detection") this.#o.onDetection?.(m.detection);
      else if (m.type === "summary") this.#o.onSummary?.(m.bytes);
      else if (m.type === "stats") this.#stats = m.stats;
    });
    const failed = (err: Error) => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      if (this.#stopped) return;
      this.#restarts++;
      this.#o.onFailure?.(err, this.#restarts);
      this.#timer = setTimeout(() => this.#spawn(), this.#backoffMs);
      this.#timer.unref();
      this.#backoffMs = Math.min(this.#backoffMs * 2, 30_000);
    };
    w.on("error", failed);
    w.on("exit", (code) => failed(new Error(`detector worker exited with code ${code}`)));
  }

  /**
   * Sends new ids and thresholds to the worker (after a config swap). The worker applies them
   * before it reads any record written after this call (worker-main.ts), so a record naming a
   * new id is never read, detected on or summarised under the old config — also when the worker
   * is still starting.
   * @throws AnomalyError THRESHOLD_INVALID before sending anything when the thresholds are bad
   */
  configure(names: EngineNames, thresholds: ThresholdConfig): void {
    new Thresholds(thresholds);
    this.#names = names;
    this.#thresholds = thresholds;
    const m: ToWorker = { type: "config", names, thresholds };
    this.#worker?.postMessage(m);
  }

  /** Times the worker was restarted after a failure. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The worker's latest engine counters (every summary interval). */
  get stats(): EngineStats | undefined {
    return this.#stats;
  }

  /** Terminates the worker (no restart). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) await w.terminate();
  }

  /**
   * Terminates the current worker as a crash would: the host counts it and starts a new one
   * (an operator's "restart the detector" for a stuck worker; the restart path's test).
   */
  async kill(): Promise<void> {
    await this.#worker?.terminate();
  }
}
