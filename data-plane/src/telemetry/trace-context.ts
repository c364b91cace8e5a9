import { randomFillSync } from "node:crypto";

/**
 * W3C Trace Context (Recommendation, 2021-11-23) for one request: the `traceparent` the client
 * sent when it is valid (§3.2: version `00` — or a later one read as `00` per §4.3 — 32 lowercase
 * hex trace-id not all zero, 16 lowercase hex parent-id not all zero, 2 hex flags), else a new
 * trace. The node is one hop of the trace: the upstream gets the same trace id, a new parent id
 * (the node's own span) and the flags; `tracestate` goes on only beside a valid `traceparent`
 * (§3.3: "if the traceparent is invalid, the tracestate MUST be discarded"), at most 512
 * characters of list members (§3.3.1.1: a vendor may cut to 512), never with a line break.
 */
export interface TraceContext {
  /** 32 lowercase hex. */
  readonly traceId: string;
  /** The node's span id (the upstream's parent-id), 16 lowercase hex. */
  readonly spanId: string;
  /** The client's parent-id, `null` when the trace started here. */
  readonly parentSpanId: string | null;
  /** Sampled flag (bit 0 of trace-flags). */
  readonly sampled: boolean;
  /** The `tracestate` to forward, `null` for none. */
  readonly traceState: string | null;
}

const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;

/** `bytes` random bytes as lowercase hex, from a pool refilled 4 KiB at a time (crypto.randomFillSync). */
function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const s = POOL.toString("hex", poolAt, poolAt + bytes);
  poolAt += bytes;
  return s;
}

/** A new trace id (16 random bytes, never all zero: §3.2.2.3). */
export function newTraceId(): string {
  const id = randomHex(16);
  return id === "00000000000000000000000000000000" ? newTraceId() : id;
}

/** A new span id (8 random bytes, never all zero). */
export function newSpanId(): string {
  const id = randomHex(8);
  return id === "0000000000000000" ? newSpanId() : id;
}

function isLowerHex(s: string, from: number, to: number): boolean {
  let zero = true;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x30) zero = false;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return !zero;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

/**
 * Parses a `traceparent` value (§3.2).
 * @returns its trace id, parent id and sampled flag, or `null` when invalid (version `ff`, a bad
 *   length, upper-case or non-hex digits, an all-zero id, a version 00 with extra characters)
 */
export function parseTraceparent(
  v: string | undefined,
): { traceId: string; parentId: string; sampled: boolean } | null {
  if (v === undefined || v.length < 55) return null;
  if (!isHex(v.charCodeAt(0)) || !isHex(v.charCodeAt(1))) return null;
  const version = v.slice(0, 2);
  if (version === "ff") return null;
  if (version === "00" && v.length !== 55) return null;
  if (v.length > 55 && v.charCodeAt(55) !== 0x2d) return null; // a later version: more fields after "-"
  if (v.charCodeAt(2) !== 0x2d || v.charCodeAt(35) !== 0x2d || v.charCodeAt(52) !== 0x2d) return null;
  if (!isLowerHex(v, 3, 35) || !isLowerHex(v, 36, 52)) return null;
  if (!isHex(v.charCodeAt(53)) || !isHex(v.charCodeAt(54))) return null;
  const flags = Number.parseInt(v.slice(53, 55), 16);
  return { traceId: v.slice(3, 35), parentId: v.slice(36, 52), sampled: (flags & 1) === 1 };
}

/** Longest `tracestate` forwarded (§3.3.1.1). */
const MAX_TRACESTATE = 512;

/**
 * The request's trace context from its `traceparent` and `tracestate` values.
 * @param sampleRatio probability (0–1) that a trace started here is sampled
 * @param trustSampled keep a valid incoming `traceparent`'s sampled flag (parent-based sampling);
 *   false decides by `sampleRatio` instead, keeping the trace id and parent. The node passes true
 *   only for a peer among its trusted proxies: at the edge a client's flag would let any client
 *   have every request exported whatever the ratio (W3C Trace Context §3.2.2.6 lets a
 *   participant set the flag by its own decision).
 */
export function traceContextOf(
  traceparent: string | undefined,
  tracestate: string | undefined,
  sampleRatio: number,
  trustSampled = true,
): TraceContext {
  const p = parseTraceparent(traceparent);
  const decide = () => sampleRatio > 0 && Math.random() < sampleRatio;
  if (p === null)
    return {
      traceId: newTraceId(),
      spanId: newSpanId(),
      parentSpanId: null,
      sampled: decide(),
      traceState: null,
    };
  let state: string | null = null;
  if (tracestate !== undefined && tracestate !== "" && !/[\r\n\0]/.test(tracestate)) {
    state = tracestate.length <= MAX_TRACESTATE ? tracestate : cutTracestate(tracestate);
  }
  return {
    traceId: p.traceId,
    spanId: newSpanId(),
    parentSpanId: p.parentId,
    sampled: trustSampled ? p.sampled : decide(),
    traceState: state,
  };
}

/** Whole list members up to {@link MAX_TRACESTATE} characters (§3.3.1.1), `null` when none fits. */
function cutTracestate(s: string): string | null {
  let out = "";
  for (const member of s.split(",")) {
    const m = member.trim();
    if (m === "") continue;
    const next = out === "" ? m : `${out},${m}`;
    if (next.length > MAX_TRACESTATE) break;
    out = next;
  }
  return out === "" ? null : out;
}

/** The `traceparent` the upstream gets: version 00, the trace id, the node's span id, the flags. */
export function traceparentOf(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.sampled ? "01" : "00"}`;
}
