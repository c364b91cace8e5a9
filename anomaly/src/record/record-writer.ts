import { packAddress } from "./address.js";
import { contentTypeId } from "./content-type.js";
import { fnv1a, hashPath, type PathHash } from "./hash.js";
import { type AuthOutcome, methodId, RECORD_WORDS, RecordFlag, W } from "./layout.js";
import { DROPPED, HEAD, RING_HEADER_BYTES, ringCapacity, TAIL } from "./ring.js";

/**
 * What the proxy's `logging` phase knows about a finished request: values it already holds.
 * Pass one object reused across requests (the writer reads it synchronously and keeps nothing).
 */
export interface RequestFacts {
  /** When the request finished, ms on a monotonic clock (`performance.timeOrigin + performance.now()`). */
  timeMs: number;
  /** Interned route index (Interner), 0 = no route matched. */
  route: number;
  /** Interned upstream index, 0 = none (answered by the proxy). Stored as 16 bits. */
  upstream: number;
  /** Interned consumer index, 0 = anonymous. */
  consumer: number;
  /** The credential's identifier (an API key's id or stored hash prefix, a JWT `sub`), never the secret; `undefined` = none. */
  credentialId: string | undefined;
  /** The resolved client address, canonical text. */
  clientAddress: string;
  /** Canonical request path, without the query. */
  path: string;
  /** Request method. */
  method: string;
  /** `User-Agent` header value, if any. */
  userAgent: string | undefined;
  /** Request `Content-Type` header value, if any. */
  contentType: string | undefined;
  /** Response status sent (499 when the client went away first). */
  status: number;
  /** What authentication said (AuthOutcome). */
  auth: AuthOutcome;
  /** Total latency, µs. */
  latencyUs: number;
  /** Request body bytes. */
  requestBytes: number;
  /** Response body bytes. */
  responseBytes: number;
}

/** A fresh, zeroed {@link RequestFacts} to reuse. */
export function emptyFacts(): RequestFacts {
  return {
    timeMs: 0,
    route: 0,
    upstream: 0,
    consumer: 0,
    credentialId: undefined,
    clientAddress: "",
    path: "/",
    method: "GET",
    userAgent: undefined,
    contentType: undefined,
    status: 0,
    auth: 0,
    latencyUs: 0,
    requestBytes: 0,
    responseBytes: 0,
  };
}

function u32(n: number): number {
  return n >= 0xffffffff ? 0xffffffff : n > 0 ? n >>> 0 : 0;
}

/**
 * The producer side of a ring (ring.ts): one per proxy thread, called once per request from the
 * `logging` phase. {@link RecordWriter.write} hashes the path and user agent (FNV-1a, one pass
 * each), packs the address, stores 20 words and publishes them; it never allocates and never
 * waits. A full ring drops the record and counts it.
 */
export class RecordWriter {
  readonly #header: Int32Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  readonly #mask: number;
  readonly #capacity: number;
  #head: number;
  #tail: number;
  #dropped: number;
  readonly #path: PathHash = { hash: 0, objectId: 0 };

  /** @throws AnomalyError RING_OPTIONS_INVALID when `buffer` is not a ring buffer */
  constructor(buffer: SharedArrayBuffer) {
    this.#capacity = ringCapacity(buffer);
    this.#mask = this.#capacity - 1;
    this.#header = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
    this.#u32 = new Uint32Array(buffer, RING_HEADER_BYTES);
    this.#f64 = new Float64Array(buffer, RING_HEADER_BYTES);
    this.#head = Atomics.load(this.#header, HEAD);
    this.#tail = Atomics.load(this.#header, TAIL);
    this.#dropped = Atomics.load(this.#header, DROPPED);
  }

  /**
   * Writes one record.
   * @returns true when written, false when the ring was full (the record is dropped and counted)
   */
  write(f: RequestFacts): boolean {
    const head = this.#head;
    if (((head - this.#tail) | 0) >= this.#capacity) {
      this.#tail = Atomics.load(this.#header, TAIL);
      if (((head - this.#tail) | 0) >= this.#capacity) {
        this.#dropped = (this.#dropped + 1) | 0;
        Atomics.store(this.#header, DROPPED, this.#dropped);
        return false;
      }
    }
    const slot = head & this.#mask;
    const w = slot * RECORD_WORDS;
    const a = this.#u32;
    this.#f64[slot * (RECORD_WORDS / 2)] = f.timeMs;
    a[w + W.route] = u32(f.route);
    const status = f.status & 0xffff;
    a[w + W.statusAuthMethod] = (status | ((f.auth & 0xff) << 16) | (methodId(f.method) << 24)) >>> 0;
    const valid = packAddress(f.clientAddress, a, w + W.address);
    a[w + W.upstreamCtypeFlags] =
      ((f.upstream & 0xffff) | (contentTypeId(f.contentType) << 16) | ((valid ? RecordFlag.addressValid : 0) << 24)) >>>
      0;
    a[w + W.consumer] = u32(f.consumer);
    a[w + W.credential] = fnv1a(f.credentialId);
    const p = hashPath(f.path, this.#path);
    a[w + W.pathHash] = p.hash;
    a[w + W.uaHash] = fnv1a(f.userAgent);
    a[w + W.objectId] = p.objectId;
    a[w + W.latencyUs] = u32(f.latencyUs);
    a[w + W.requestBytes] = u32(f.requestBytes);
    a[w + W.responseBytes] = u32(f.responseBytes);
    this.#head = (head + 1) | 0;
    Atomics.store(this.#header, HEAD, this.#head);
    return true;
  }

  /** Records dropped because the ring was full (since the ring was created). */
  get dropped(): number {
    return this.#dropped >>> 0;
  }
}
