import type { Detection } from "../detect/detection.js";
import { DetectorEngine, type EngineOptions } from "../engine.js";
import { RecordReader } from "../record/record-reader.js";
import { emptyFacts, RecordWriter, type RequestFacts } from "../record/record-writer.js";
import { createRingBuffer } from "../record/ring.js";

/** Route and consumer ids of the test node (index = position). */
export const NAMES = {
  routes: ["", "login", "users", "orders"],
  upstreams: ["", "auth", "users", "orders"],
  consumers: ["", "alice", "bob", "partner"],
};

/**
 * A node for tests: requests go through the real writer, ring and reader into a real engine,
 * exactly as in the worker; detections are collected.
 */
export class TestNode {
  readonly detections: Detection[] = [];
  readonly engine: DetectorEngine;
  readonly #writer: RecordWriter;
  readonly #reader: RecordReader;
  readonly #facts = emptyFacts();

  constructor(nodeId = "node-a", region = "eu", o: Partial<EngineOptions> = {}) {
    const ring = createRingBuffer(1 << 12);
    this.#writer = new RecordWriter(ring);
    this.#reader = new RecordReader(ring);
    this.engine = new DetectorEngine({
      nodeId,
      region,
      names: NAMES,
      onDetection: (d) => this.detections.push(d),
      ...o,
    });
  }

  /** Sends one request (defaults: a 200 GET /v1/users/1 from 192.0.2.1 on route users). */
  send(t: number, f: Partial<RequestFacts>): void {
    Object.assign(
      this.#facts,
      emptyFacts(),
      { route: 2, upstream: 2, clientAddress: "192.0.2.1", path: "/v1/users/1", status: 200 },
      f,
      {
        timeMs: t,
      },
    );
    if (!this.#writer.write(this.#facts)) {
      this.flush();
      if (!this.#writer.write(this.#facts)) throw new Error("ring full after a flush");
    }
    if (this.#reader.pending > 2048) this.flush();
  }

  /** Reads the ring into the engine and moves its clock to `t`. */
  flush(t?: number): void {
    let n = this.#reader.drain((r) => this.engine.ingest(r));
    while (n > 0) n = this.#reader.drain((r) => this.engine.ingest(r));
    if (t !== undefined) this.engine.advance(t);
  }
}

/**
 * Normal background traffic from `clients` addresses for `[from, to)` ms at `perS` requests/s in
 * all: Zipf-ish paths on route users, 1 % 404s, a login (6 % of them failing) now and then.
 */
export function background(node: TestNode, from: number, to: number, perS: number, clients = 500, seed = 1): void {
  let x = seed;
  const rnd = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  const step = 1000 / perS;
  for (let t = from; t < to; t += step) {
    const c = Math.floor(rnd() * clients);
    const address = `198.51.${(c >> 8) & 255}.${c & 255}`;
    if (rnd() < 0.05) {
      node.send(t, {
        route: 1,
        upstream: 1,
        path: "/v1/login",
        method: "POST",
        clientAddress: address,
        status: rnd() < 0.06 ? 401 : 200,
      });
    } else {
      const id = Math.floor(1 / (rnd() + 0.0005));
      node.send(t, { clientAddress: address, path: `/v1/users/${id}`, status: rnd() < 0.01 ? 404 : 200 });
    }
    if (Math.floor(t / 1000) !== Math.floor((t + step) / 1000)) node.flush(t);
  }
  node.flush(to);
}
