import type { Cluster, Worker } from "node:cluster";
import { type LimitDecision, type LimiterStore, type LimitSpec, MemoryLimiterStore } from "./limiter-store.js";

/**
 * Node-local rate limits shared EXACTLY by all worker processes of a node (node:cluster).
 * SharedArrayBuffer does not cross process boundaries and a file lock would cost a syscall per
 * request, so the counts live in the primary process: each worker asks the primary over the
 * cluster IPC channel, one request/answer per decision. The primary is single-threaded, so
 * decisions are serialized and exact (100 hits against 10/min from any number of workers admit
 * exactly 10). Cost: one IPC round trip (a few tens of µs on loopback pipes) per limited request.
 *
 * Wiring (the primary of `--workers N`):
 *
 *     serveLimiterToWorkers(cluster);                       // once, in the primary
 *     cluster.fork({ ...process.env, ...LIMITER_WORKER_ENV }); // each worker
 *
 * and in each worker `createLocalLimiterStore()` returns the IPC client. A process that is not a
 * worker so started counts in its own memory.
 */

/** Message tag (IPC carries other traffic too). */
const TAG = "palisade.rate-limit";

/** Environment a worker is forked with so that it asks the primary. */
export const LIMITER_WORKER_ENV: Readonly<Record<string, string>> = Object.freeze({ PALISADE_LOCAL_LIMITER: "ipc" });

interface HitMessage {
  readonly [TAG]: "hit";
  readonly id: number;
  readonly key: string;
  readonly limits: readonly LimitSpec[];
}

interface AnswerMessage {
  readonly [TAG]: "answer";
  readonly id: number;
  readonly decision: LimitDecision;
}

function isHit(m: unknown): m is HitMessage {
  return typeof m === "object" && m !== null && (m as Record<string, unknown>)[TAG] === "hit";
}

function isAnswer(m: unknown): m is AnswerMessage {
  return typeof m === "object" && m !== null && (m as Record<string, unknown>)[TAG] === "answer";
}

/** The IPC channel of a worker (`process` in a cluster worker). */
export interface IpcChannel {
  send(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

/** Thrown when the primary does not answer in time or the channel is gone. */
export class LimiterUnavailableError extends Error {
  override readonly name = "LimiterUnavailableError";
  readonly code = "LIMITER_UNAVAILABLE";
}

/**
 * The worker side: asks the primary for each decision.
 * Rejects with {@link LimiterUnavailableError} after `timeoutMs` (default 1,000) or when the
 * channel is closed; never hangs.
 */
export class IpcLimiterStore implements LimiterStore {
  #channel: IpcChannel;
  #timeoutMs: number;
  #seq = 0;
  #pending = new Map<
    number,
    { resolve: (d: LimitDecision) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  #onMessage = (m: unknown) => {
    if (!isAnswer(m)) return;
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    p.resolve(m.decision);
  };

  constructor(channel: IpcChannel, timeoutMs = 1_000) {
    this.#channel = channel;
    this.#timeoutMs = timeoutMs;
    channel.on("message", this.#onMessage);
  }

  hit(key: string, limits: readonly LimitSpec[]): Promise<LimitDecision> {
    const id = ++this.#seq;
    return new Promise<LimitDecision>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new LimiterUnavailableError(`primary did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
      const msg: HitMessage = { [TAG]: "hit", id, key, limits };
      try {
        this.#channel.send(msg, (err) => {
          if (err === null || err === undefined) return;
          const p = this.#pending.get(id);
          if (p === undefined) return;
          this.#pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new LimiterUnavailableError(`IPC send failed: ${err.message}`));
        });
      } catch (err) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new LimiterUnavailableError(`IPC send failed: ${(err as Error).message}`));
      }
    });
  }

  async close(): Promise<void> {
    this.#channel.off("message", this.#onMessage);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new LimiterUnavailableError("limiter closed"));
    }
    this.#pending.clear();
  }
}

/**
 * The primary side: answers every worker's hits from one in-memory store.
 * @returns a function that stops serving
 */
export function serveLimiterToWorkers(
  cluster: Cluster,
  store: MemoryLimiterStore = new MemoryLimiterStore(),
): () => void {
  const onMessage = (worker: Worker, m: unknown) => {
    if (!isHit(m)) return;
    const decision = store.hit(m.key, m.limits);
    const answer: AnswerMessage = { [TAG]: "answer", id: m.id, decision };
    if (worker.isConnected()) worker.send(answer, undefined, () => {});
  };
  cluster.on("message", onMessage);
  return () => {
    cluster.off("message", onMessage);
  };
}

/**
 * The store node-local (`LOCAL` scope) limits use in this process: the IPC client in a worker
 * forked with {@link LIMITER_WORKER_ENV}, otherwise this process's memory.
 */
export function createLocalLimiterStore(env: NodeJS.ProcessEnv = process.env): LimiterStore {
  if (env.PALISADE_LOCAL_LIMITER === "ipc" && typeof process.send === "function") {
    return new IpcLimiterStore(process as unknown as IpcChannel);
  }
  return new MemoryLimiterStore();
}
