// Open-loop, fixed-rate load generator (what wrk2 does; Debian has no wrk2). Run as its own
// process by bench/lib/fixed-rate.mjs:
//   node bench/load/fixed-rate.mjs '{"url":"http://127.0.0.1:8000/x","rate":5000,"connections":50,
//                                    "durationS":10,"warmupS":1,"headers":{}}'
// Prints one JSON line with the latency distribution of the measured window.
//
// Request i is due at t0 + i/rate and goes to connection i mod N (N keep-alive HTTP/1.1
// connections, no pipelining), so each connection carries rate/N requests/s at a steady pace.
// Latency runs from when a request left to the last byte of its response; when its connection is
// still busy with the previous request (the system is slower than the schedule), from when it was
// due, so the wait counts (coordinated-omission correction, as in wrk2). Timers tick every ~1 ms:
// requests due within the next EARLY_MS leave on the current tick, and a late timer (this VM's
// timers slip by up to ~5 ms now and then) sends a small burst instead of charging the slip to the
// system under test.
//
// It speaks HTTP/1.1 on raw sockets with one prebuilt request, like wrk: an undici client costs
// ~40 % of a CPU at 5k rps here and put ~2 ms of its own into p99. Why not autocannon's
// overallRate: its clients send their per-second quota back to back and then idle until the next
// second (bursts, not a rate), and its latency histogram has a 1 ms floor — too coarse for a
// "p99 within +1 ms of nginx" target.
import net from "node:net";
import { createHistogram } from "node:perf_hooks";

const EARLY_MS = 1;

/**
 * @typedef {object} FixedRateOptions
 * @property {string} url
 * @property {number} rate requests per second
 * @property {number} connections
 * @property {number} durationS measured seconds
 * @property {number} warmupS seconds of the same schedule before the measured window
 * @property {Record<string, string>} [headers]
 */

/** @type {FixedRateOptions} */
const opts = JSON.parse(process.argv[2] ?? "{}");
if (!(opts.url && opts.rate > 0 && opts.connections > 0 && opts.durationS > 0)) {
  process.stderr.write('usage: fixed-rate.mjs \'{"url","rate","connections","durationS","warmupS"}\'\n');
  process.exit(2);
}

const target = new URL(opts.url);
if (target.protocol !== "http:") throw new Error("only http:// targets");
// A `Host` among the headers replaces the URL's (palisade-waf sends a host name, as API clients do).
const ownHost = Object.keys(opts.headers ?? {}).some((k) => k.toLowerCase() === "host");
const REQUEST = Buffer.from(
  `GET ${target.pathname}${target.search} HTTP/1.1\r\n${ownHost ? "" : `Host: ${target.host}\r\n`}` +
    Object.entries(opts.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    "\r\n",
  "latin1",
);

const base = process.hrtime.bigint();
/** Monotonic nanoseconds since start, as a Number (safe for runs far longer than ours). */
const now = () => Number(process.hrtime.bigint() - base);

const hist = createHistogram({ lowest: 1, highest: 60_000_000_000, figures: 3 });
const stats = { sent: 0, completed: 0, non2xx: 0, errors: 0, maxLateNs: 0, lastDoneNs: 0, firstError: "" };
let inflight = 0;
let finished = false;

const CRLFCRLF = Buffer.from("\r\n\r\n");

/**
 * Length of the first complete HTTP/1.1 response in `buf` and its status, or undefined when more
 * bytes are needed. Handles Content-Length and chunked bodies (RFC 9112 §6.3, §7.1).
 * @param {Buffer} buf
 * @returns {{length: number, status: number, close: boolean} | undefined}
 * @throws Error on a response it cannot frame
 */
function frame(buf) {
  const headEnd = buf.indexOf(CRLFCRLF);
  if (headEnd < 0) return undefined;
  const head = buf.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:\s*close/i.test(head);
  let pos = headEnd + 4;
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", pos, "latin1");
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(buf.toString("latin1", pos, lineEnd), 16);
      if (!Number.isFinite(size)) throw new Error("bad chunk size");
      if (size === 0) {
        // The last chunk, then an optional trailer section that ends with an empty line.
        const end = buf.indexOf(CRLFCRLF, lineEnd);
        return end < 0 ? undefined : { length: end + 4, status, close };
      }
      pos = lineEnd + 2 + size + 2;
      if (buf.length < pos) return undefined;
    }
  }
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const bodyLen = cl ? Number(cl[1]) : status === 204 || status === 304 ? 0 : Number.NaN;
  if (!Number.isFinite(bodyLen)) throw new Error("response without Content-Length or chunked framing");
  return buf.length >= pos + bodyLen ? { length: pos + bodyLen, status, close } : undefined;
}

/** One keep-alive connection with a queue of due requests (start times, ns). */
class Conn {
  /** @type {net.Socket} */
  socket;
  /** @type {{startNs: number, measured: boolean}[]} */
  queue = [];
  /** @type {{startNs: number, measured: boolean} | undefined} */
  current;
  /** @type {Buffer} */
  pending = Buffer.alloc(0);
  /** @type {(() => void) | undefined} */
  onIdle;

  constructor() {
    this.socket = this.#connect();
  }

  #connect() {
    const s = net.connect({ host: target.hostname, port: Number(target.port || 80), noDelay: true });
    // Events of a socket already replaced are ignored.
    s.on("data", (chunk) => s === this.socket && this.#onData(chunk));
    s.on("error", (err) => s === this.socket && this.#fail(err));
    s.on("close", () => {
      if (s !== this.socket || finished) return;
      if (this.current) this.#fail(new Error("connection closed mid-response"));
      else this.socket = this.#connect(); // idle keep-alive closed by the server: reopen
    });
    return s;
  }

  /** @param {Error} err */
  #fail(err) {
    const lost = this.current;
    this.current = undefined;
    this.pending = Buffer.alloc(0);
    if (lost) {
      inflight--;
      if (lost.measured) {
        stats.errors++;
        stats.firstError ||= err.message;
      }
    }
    if (!this.socket.destroyed) this.socket.destroy();
    this.socket = this.#connect();
    this.#next();
  }

  /**
   * Queues a request due at `dueNs`; sends it now if the connection is free.
   * @param {number} dueNs
   * @param {boolean} measured
   */
  send(dueNs, measured) {
    const sentNs = now();
    if (measured) {
      stats.sent++;
      stats.maxLateNs = Math.max(stats.maxLateNs, sentNs - dueNs);
    }
    inflight++;
    // A free connection sends now: time from now (the generator's own timer lateness is not the
    // system's). A busy one means the system has not answered the previous request yet: time from
    // when this one was due, so the wait counts.
    this.queue.push({ startNs: this.current ? Math.min(dueNs, sentNs) : sentNs, measured });
    if (!this.current) this.#next();
  }

  #next() {
    const req = this.queue.shift();
    if (!req) {
      this.onIdle?.();
      return;
    }
    this.current = req;
    this.socket.write(REQUEST);
  }

  /** @param {Buffer} chunk */
  #onData(chunk) {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let f;
    try {
      f = frame(this.pending);
    } catch (err) {
      this.#fail(/** @type {Error} */ (err));
      return;
    }
    if (!f) return;
    const doneNs = now();
    const req = this.current;
    this.current = undefined;
    this.pending = this.pending.subarray(f.length);
    if (req) {
      inflight--;
      if (req.measured) {
        stats.completed++;
        stats.lastDoneNs = doneNs;
        if (f.status < 200 || f.status > 399) stats.non2xx++;
        hist.record(Math.max(1, Math.round(doneNs - req.startNs)));
      }
    }
    if (f.close) {
      this.socket.destroy();
      this.socket = this.#connect();
    }
    this.#next();
  }
}

/**
 * Sends one unmeasured request per connection and waits for all answers (connections are open before t0).
 * @param {Conn[]} conns
 */
async function connectAll(conns) {
  await Promise.all(
    conns.map(
      (c) =>
        new Promise((resolve) => {
          c.onIdle = () => {
            c.onIdle = undefined;
            resolve(undefined);
          };
          c.send(now(), false);
        }),
    ),
  );
}

async function main() {
  const conns = Array.from({ length: opts.connections }, () => new Conn());
  await connectAll(conns);
  const intervalNs = 1e9 / opts.rate;
  const warmup = Math.round((opts.warmupS ?? 0) * opts.rate);
  const total = warmup + Math.round(opts.durationS * opts.rate);
  const t0 = now() + 5_000_000;
  let i = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const horizon = now() + EARLY_MS * 1e6;
      while (i < total) {
        const due = t0 + i * intervalNs;
        if (due > horizon) break;
        conns[i % conns.length].send(due, i >= warmup);
        i++;
      }
      if (i < total) setTimeout(tick, 1);
      else resolve(undefined);
    };
    setTimeout(tick, 5);
  });
  const measuredFrom = t0 + warmup * intervalNs;
  const drainBy = now() + 10_000_000_000;
  while (inflight > 0 && now() < drainBy) await new Promise((r) => setTimeout(r, 5));
  // Completed requests over the time from the first due request to the last answer (not less than
  // the scheduled window): below `rate` when the system could not keep up.
  const elapsedS = Math.max(opts.durationS, (stats.lastDoneNs - measuredFrom) / 1e9);
  const ms = (/** @type {number} */ ns) => Math.round(ns / 1000) / 1000;
  const result = {
    url: opts.url,
    rate: opts.rate,
    connections: opts.connections,
    durationS: opts.durationS,
    sent: stats.sent,
    completed: stats.completed,
    non2xx: stats.non2xx,
    errors: stats.errors,
    firstError: stats.firstError || undefined,
    unfinished: inflight,
    achievedRps: Math.round(stats.completed / elapsedS),
    maxLateMs: ms(stats.maxLateNs),
    p50Ms: ms(hist.percentile(50)),
    p90Ms: ms(hist.percentile(90)),
    p99Ms: ms(hist.percentile(99)),
    p999Ms: ms(hist.percentile(99.9)),
    maxMs: ms(hist.max),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  finished = true;
  for (const c of conns) c.socket.destroy();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`fixed-rate: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
