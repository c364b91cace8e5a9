import { RECORD_WORDS, RecordFlag, W } from "./layout.js";
import { DROPPED, HEAD, RING_HEADER_BYTES, ringCapacity, TAIL } from "./ring.js";

/**
 * One decoded record (fields as in layout.ts). The reader fills one instance per call of the
 * visitor: copy what you keep.
 */
export class RecordView {
  timeMs = 0;
  route = 0;
  status = 0;
  auth = 0;
  method = 0;
  upstream = 0;
  contentType = 0;
  addressValid = false;
  consumer = 0;
  credential = 0;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  pathHash = 0;
  uaHash = 0;
  objectId = 0;
  latencyUs = 0;
  requestBytes = 0;
  responseBytes = 0;

  /** Fills this view from word `w` of `u32` (and the time from `f64`). */
  load(u32: Uint32Array, f64: Float64Array, w: number): this {
    this.timeMs = f64[w >> 1]!;
    this.route = u32[w + W.route]!;
    const sam = u32[w + W.statusAuthMethod]!;
    this.status = sam & 0xffff;
    this.auth = (sam >>> 16) & 0xff;
    this.method = sam >>> 24;
    const ucf = u32[w + W.upstreamCtypeFlags]!;
    this.upstream = ucf & 0xffff;
    this.contentType = (ucf >>> 16) & 0xff;
    this.addressValid = ((ucf >>> 24) & RecordFlag.addressValid) !== 0;
    this.consumer = u32[w + W.consumer]!;
    this.credential = u32[w + W.credential]!;
    this.a0 = u32[w + W.address]!;
    this.a1 = u32[w + W.address + 1]!;
    this.a2 = u32[w + W.address + 2]!;
    this.a3 = u32[w + W.address + 3]!;
    this.pathHash = u32[w + W.pathHash]!;
    this.uaHash = u32[w + W.uaHash]!;
    this.objectId = u32[w + W.objectId]!;
    this.latencyUs = u32[w + W.latencyUs]!;
    this.requestBytes = u32[w + W.requestBytes]!;
    this.responseBytes = u32[w + W.responseBytes]!;
    return this;
  }
}

/**
 * The consumer side of a ring (ring.ts), in the detector worker. {@link RecordReader.drain}
 * visits the records written since the last call (up to `max`) and then frees their slots.
 */
export class RecordReader {
  readonly #header: Int32Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  readonly #mask: number;
  readonly #view = new RecordView();
  #tail: number;

  /** @throws AnomalyError RING_OPTIONS_INVALID when `buffer` is not a ring buffer */
  constructor(buffer: SharedArrayBuffer) {
    this.#mask = ringCapacity(buffer) - 1;
    this.#header = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
    this.#u32 = new Uint32Array(buffer, RING_HEADER_BYTES);
    this.#f64 = new Float64Array(buffer, RING_HEADER_BYTES);
    this.#tail = Atomics.load(this.#header, TAIL);
  }

  /**
   * Calls `visit` for each record written since the last drain, oldest first, at most `max`.
   * The view is reused between calls. @returns the number of records visited
   */
  drain(visit: (r: RecordView) => void, max = 8192): number {
    const head = Atomics.load(this.#header, HEAD);
    let n = (head - this.#tail) | 0;
    if (n <= 0) return 0;
    if (n > max) n = max;
    const view = this.#view;
    for (let i = 0; i < n; i++) {
      const slot = (this.#tail + i) & this.#mask;
      visit(view.load(this.#u32, this.#f64, slot * RECORD_WORDS));
    }
    this.#tail = (this.#tail + n) | 0;
    Atomics.store(this.#header, TAIL, this.#tail);
    return n;
  }

  /** Records waiting to be read. */
  get pending(): number {
    return (Atomics.load(this.#header, HEAD) - this.#tail) | 0;
  }

  /** Records the producer dropped because the ring was full. */
  get dropped(): number {
    return Atomics.load(this.#header, DROPPED) >>> 0;
  }
}
