import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { Thresholds } from "../detect/thresholds.js";
import { DetectorEngine } from "../engine.js";
import { AnomalyError } from "../errors.js";
import { RecordReader, type RecordView } from "../record/record-reader.js";
import { encodeSummary } from "../summary/codec.js";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.js";

/**
 * The detector worker (a worker_thread per proxy thread): every `pollMs` it reads the ring
 * until it is empty (in batches of 8,192 records, yielding to its event loop at least every
 * 50 ms), moves the engine's clock, and every `summaryIntervalMs` posts the encoded summary.
 * Detections are posted as they happen. Nothing here can block the proxy: the ring is the only
 * thing shared, and the proxy never waits on it.
 *
 * Config before records: the host posts a config (new route, upstream and consumer ids,
 * thresholds) before the proxy writes any record that names those ids, so each batch first
 * notes how many records are published, then applies every config message already queued
 * (`receiveMessageOnPort`, synchronously), then reads only those records. Without this the
 * first poll — run at start, before the event loop dispatches the host's first config — read
 * the records of a fresh node under unnamed routes (`#1`) and default thresholds, and a
 * summary due in that poll sent them to the control plane under a route no config names.
 */
const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);
const clock = () => performance.timeOrigin + performance.now();
const BATCH = 8192;

const engine = new DetectorEngine({
  nodeId: init.nodeId,
  region: init.region,
  names: init.names,
  thresholds: new Thresholds(init.thresholds),
  clientCapacity: init.clientCapacity,
  onDetection: (detection) => post({ type: "detection", detection }),
});
const reader = new RecordReader(init.ring);
const ingest = (r: RecordView) => engine.ingest(r);
let lastSummary = clock();
let timer: NodeJS.Timeout | undefined;
let stopped = false;

function apply(m: ToWorker): void {
  if (m.type === "stop") {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    port.close();
    return;
  }
  try {
    engine.setThresholds(new Thresholds(m.thresholds));
    engine.setNames(m.names);
  } catch (e) {
    const err = e instanceof AnomalyError ? e : new AnomalyError("THRESHOLD_INVALID", "", String(e));
    post({ type: "config-error", code: err.code, field: err.field, detail: err.detail });
  }
}

/** Reads up to {@link BATCH} of the records published now, under every config posted before them. */
function batch(): number {
  const published = reader.pending;
  if (published <= 0) return 0;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    apply(m.message as ToWorker);
  }
  if (stopped) return 0;
  return reader.drain(ingest, Math.min(published, BATCH));
}

function poll(): void {
  const started = clock();
  let n = batch();
  while (n > 0 && clock() - started < 50) n = batch();
  if (stopped) return;
  engine.setDropped(reader.dropped);
  const now = clock();
  engine.advance(now);
  if (now - lastSummary >= init.summaryIntervalMs) {
    lastSummary = now;
    const bytes = encodeSummary(engine.takeSummary());
    post({ type: "summary", bytes }, [bytes.buffer as ArrayBuffer]);
    post({ type: "stats", stats: engine.stats() });
  }
  timer = setTimeout(poll, n > 0 ? 0 : init.pollMs);
}

port.on("message", apply);
poll();
