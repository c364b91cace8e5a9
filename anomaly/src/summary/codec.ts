import { AnomalyError } from "../errors.js";
import {
  type NodeSummary,
  SUMMARY_CMS_DEPTH,
  SUMMARY_CMS_WIDTH,
  SUMMARY_HLL_P,
  SUMMARY_LIMITS,
  SUMMARY_VERSION,
} from "./summary.js";
import { validateSummary } from "./validate.js";

/**
 * Binary and JSON forms of a {@link NodeSummary}. Binary: magic `PAS`, a version byte, then the
 * fields in order with LEB128 varints for counts, zigzag deltas for size-bin keys, raw bytes for
 * HyperLogLog registers, and the count-min counters sparse (index delta, value). A quiet node's
 * summary is a few hundred bytes. Both decoders bound every length before reading it and then
 * run validateSummary, so a malformed or hostile summary is refused with SUMMARY_MALFORMED /
 * SUMMARY_TOO_LARGE and never makes the control plane allocate more than the input's size.
 * (This form stands in until the protobuf message proposed in README.md lands in proto/.)
 */

const MAGIC = [0x50, 0x41, 0x53];
const TYPES = ["address", "consumer", "credential"] as const;
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

class Out {
  buf = new Uint8Array(4096);
  n = 0;
  #grow(k: number) {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  byte(v: number) {
    this.#grow(1);
    this.buf[this.n++] = v;
  }
  varint(v: number) {
    this.#grow(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.n++] = v;
  }
  zigzag(v: number) {
    this.varint(v < 0 ? -2 * v - 1 : 2 * v);
  }
  f64(v: number) {
    this.#grow(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.n, 8).setFloat64(0, v, true);
    this.n += 8;
  }
  u32(v: number) {
    this.#grow(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.n, 4).setUint32(0, v, true);
    this.n += 4;
  }
  bytes(b: Uint8Array) {
    this.varint(b.length);
    this.#grow(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  str(s: string) {
    this.bytes(enc.encode(s));
  }
}

class In {
  readonly b: Uint8Array;
  i = 0;
  field = "";
  constructor(b: Uint8Array) {
    this.b = b;
  }
  #need(k: number) {
    if (this.i + k > this.b.length) throw new AnomalyError("SUMMARY_MALFORMED", this.field, "truncated");
  }
  byte(): number {
    this.#need(1);
    return this.b[this.i++]!;
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let k = 0; k < 8; k++) {
      const x = this.byte();
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        if (!Number.isSafeInteger(v)) break;
        return v;
      }
      mul *= 0x80;
    }
    throw new AnomalyError("SUMMARY_MALFORMED", this.field, "integer too large");
  }
  /** A varint that is a length: at most `max`, and at most what is left to read × `minBytesEach`. */
  length(max: number, minBytesEach: number): number {
    const n = this.varint();
    if (n > max) throw new AnomalyError("SUMMARY_TOO_LARGE", this.field, `more than ${max} entries`);
    if (n * minBytesEach > this.b.length - this.i) throw new AnomalyError("SUMMARY_MALFORMED", this.field, "truncated");
    return n;
  }
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  f64(): number {
    this.#need(8);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.i, 8).getFloat64(0, true);
    this.i += 8;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.i, 4).getUint32(0, true);
    this.i += 4;
    return v;
  }
  bytes(max: number): Uint8Array {
    const n = this.length(max, 1);
    const out = this.b.slice(this.i, this.i + n);
    this.i += n;
    return out;
  }
  str(): string {
    const b = this.bytes(SUMMARY_LIMITS.maxStringBytes);
    try {
      return dec.decode(b);
    } catch {
      throw new AnomalyError("SUMMARY_MALFORMED", this.field, "not UTF-8");
    }
  }
}

/** The binary form of a summary. */
export function encodeSummary(s: NodeSummary): Uint8Array {
  const o = new Out();
  for (const m of MAGIC) o.byte(m);
  o.byte(s.version);
  o.str(s.nodeId);
  o.str(s.region);
  o.varint(s.seq);
  o.f64(s.startMs);
  o.f64(s.endMs);
  o.varint(s.records);
  o.varint(s.dropped);
  o.varint(s.routes.length);
  for (const r of s.routes) {
    o.str(r.route);
    for (const v of [
      r.requests,
      r.authFailures,
      r.authDenied,
      r.status4xx,
      r.status5xx,
      r.oversized,
      r.newContentType,
    ]) {
      o.varint(v);
    }
    o.bytes(r.failingClients);
    o.varint(r.sizes.zeros);
    o.varint(r.sizes.keys.length);
    let prev = 0;
    for (let i = 0; i < r.sizes.keys.length; i++) {
      o.zigzag(r.sizes.keys[i]! - prev);
      prev = r.sizes.keys[i]!;
      o.varint(r.sizes.counts[i]!);
    }
  }
  o.varint(s.upstreams.length);
  for (const u of s.upstreams) {
    o.str(u.upstream);
    o.varint(u.requests);
    o.varint(u.status4xx);
    o.varint(u.status5xx);
  }
  o.varint(s.clients.length);
  for (const c of s.clients) {
    o.byte(TYPES.indexOf(c.type));
    o.str(c.id);
    o.str(c.route);
    o.varint(c.requests);
    o.varint(c.authFailures);
    o.varint(c.novelPaths);
    o.varint(c.sequentialRun);
    o.u32(c.userAgents[0]);
    o.u32(c.userAgents[1]);
    o.u32(c.addresses[0]);
    o.u32(c.addresses[1]);
  }
  let nz = 0;
  for (let i = 0; i < s.failures.length; i++) if (s.failures[i] !== 0) nz++;
  o.varint(nz);
  let prev = -1;
  for (let i = 0; i < s.failures.length; i++) {
    if (s.failures[i] === 0) continue;
    o.varint(i - prev - 1);
    o.varint(s.failures[i]!);
    prev = i;
  }
  return o.buf.slice(0, o.n);
}

/**
 * Decodes and validates a binary summary.
 * @throws AnomalyError SUMMARY_TOO_LARGE (over SUMMARY_LIMITS) or SUMMARY_MALFORMED (bad magic or
 *   version, truncated, trailing bytes, bad UTF-8, out-of-range values), naming the field
 */
export function decodeSummary(bytes: Uint8Array): NodeSummary {
  if (bytes.length > SUMMARY_LIMITS.maxBytes) {
    throw new AnomalyError("SUMMARY_TOO_LARGE", "", `more than ${SUMMARY_LIMITS.maxBytes} bytes`);
  }
  const r = new In(bytes);
  r.field = "magic";
  for (const m of MAGIC) if (r.byte() !== m) throw new AnomalyError("SUMMARY_MALFORMED", "magic", "not a summary");
  r.field = "version";
  const version = r.byte();
  if (version !== SUMMARY_VERSION) throw new AnomalyError("SUMMARY_MALFORMED", "version", `must be ${SUMMARY_VERSION}`);
  r.field = "nodeId";
  const nodeId = r.str();
  r.field = "region";
  const region = r.str();
  r.field = "seq";
  const seq = r.varint();
  r.field = "startMs";
  const startMs = r.f64();
  r.field = "endMs";
  const endMs = r.f64();
  r.field = "records";
  const records = r.varint();
  r.field = "dropped";
  const dropped = r.varint();
  r.field = "routes";
  const routes = [];
  const nr = r.length(SUMMARY_LIMITS.maxRoutes, 10);
  for (let k = 0; k < nr; k++) {
    r.field = `routes[${k}]`;
    const route = r.str();
    const c = [r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint(), r.varint()];
    r.field = `routes[${k}].failingClients`;
    const failingClients = r.bytes(1 << SUMMARY_HLL_P);
    r.field = `routes[${k}].sizes`;
    const zeros = r.varint();
    const nb = r.length(512, 2);
    const keys: number[] = [];
    const counts: number[] = [];
    let prev = 0;
    for (let j = 0; j < nb; j++) {
      prev += r.zigzag();
      keys.push(prev);
      counts.push(r.varint());
    }
    routes.push({
      route,
      requests: c[0],
      authFailures: c[1],
      authDenied: c[2],
      status4xx: c[3],
      status5xx: c[4],
      oversized: c[5],
      newContentType: c[6],
      failingClients,
      sizes: { zeros, keys, counts },
    });
  }
  r.field = "upstreams";
  const upstreams = [];
  const nu = r.length(SUMMARY_LIMITS.maxUpstreams, 4);
  for (let k = 0; k < nu; k++) {
    r.field = `upstreams[${k}]`;
    upstreams.push({ upstream: r.str(), requests: r.varint(), status4xx: r.varint(), status5xx: r.varint() });
  }
  r.field = "clients";
  const clients = [];
  const nc = r.length(SUMMARY_LIMITS.maxClients, 23);
  for (let k = 0; k < nc; k++) {
    r.field = `clients[${k}]`;
    const type = TYPES[r.byte()];
    if (type === undefined) throw new AnomalyError("SUMMARY_MALFORMED", `clients[${k}].type`, "unknown type");
    clients.push({
      type,
      id: r.str(),
      route: r.str(),
      requests: r.varint(),
      authFailures: r.varint(),
      novelPaths: r.varint(),
      sequentialRun: r.varint(),
      userAgents: [r.u32(), r.u32()],
      addresses: [r.u32(), r.u32()],
    });
  }
  r.field = "failures";
  const failures = new Uint32Array(SUMMARY_CMS_WIDTH * SUMMARY_CMS_DEPTH);
  const nz = r.length(failures.length, 2);
  let at = -1;
  for (let k = 0; k < nz; k++) {
    at += r.varint() + 1;
    const v = r.varint();
    if (at >= failures.length || v > 0xffffffff)
      throw new AnomalyError("SUMMARY_MALFORMED", "failures", "out of range");
    failures[at] = v;
  }
  if (r.i !== bytes.length) throw new AnomalyError("SUMMARY_MALFORMED", "", "trailing bytes");
  return validateSummary({
    version,
    nodeId,
    region,
    seq,
    startMs,
    endMs,
    records,
    dropped,
    routes,
    upstreams,
    clients,
    failures,
  });
}

/** The JSON form: byte fields as base64, the count-min counters as sparse `[index, value]` pairs. */
export function summaryToJson(s: NodeSummary): unknown {
  const failures: Array<[number, number]> = [];
  for (let i = 0; i < s.failures.length; i++) if (s.failures[i] !== 0) failures.push([i, s.failures[i]!]);
  return {
    ...s,
    routes: s.routes.map((r) => ({ ...r, failingClients: Buffer.from(r.failingClients).toString("base64") })),
    failures,
  };
}

/**
 * Reads and validates the JSON form.
 * @throws AnomalyError SUMMARY_MALFORMED / SUMMARY_TOO_LARGE naming the field
 */
export function summaryFromJson(v: unknown): NodeSummary {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new AnomalyError("SUMMARY_MALFORMED", "", "must be an object");
  }
  const o = v as Record<string, unknown>;
  const failures = new Uint32Array(SUMMARY_CMS_WIDTH * SUMMARY_CMS_DEPTH);
  const pairs = o.failures;
  if (!Array.isArray(pairs) || pairs.length > failures.length) {
    throw new AnomalyError("SUMMARY_MALFORMED", "failures", "must be at most width × depth [index, value] pairs");
  }
  for (let k = 0; k < pairs.length; k++) {
    const p = pairs[k];
    if (
      !Array.isArray(p) ||
      p.length !== 2 ||
      !Number.isInteger(p[0]) ||
      p[0] < 0 ||
      p[0] >= failures.length ||
      !Number.isInteger(p[1]) ||
      p[1] < 0 ||
      p[1] > 0xffffffff
    ) {
      throw new AnomalyError("SUMMARY_MALFORMED", `failures[${k}]`, "must be [index, value]");
    }
    failures[p[0]] = p[1];
  }
  const routes = o.routes;
  if (!Array.isArray(routes) || routes.length > SUMMARY_LIMITS.maxRoutes) {
    throw new AnomalyError("SUMMARY_TOO_LARGE", "routes", `must be a list of at most ${SUMMARY_LIMITS.maxRoutes}`);
  }
  const decoded = routes.map((r, i) => {
    if (typeof r !== "object" || r === null)
      throw new AnomalyError("SUMMARY_MALFORMED", `routes[${i}]`, "must be an object");
    const b64 = (r as Record<string, unknown>).failingClients;
    if (typeof b64 !== "string" || b64.length > 4 * (1 << SUMMARY_HLL_P)) {
      throw new AnomalyError("SUMMARY_MALFORMED", `routes[${i}].failingClients`, "must be base64 registers");
    }
    return { ...r, failingClients: new Uint8Array(Buffer.from(b64, "base64")) };
  });
  return validateSummary({ ...o, routes: decoded, failures });
}
