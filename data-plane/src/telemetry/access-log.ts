import { basename, dirname } from "node:path";
import { pino } from "pino";
import { createStream } from "rotating-file-stream";

/** Access log line formats: ECS JSON (`@elastic/ecs-pino-format` field names) or Apache's Combined Log Format. */
export const ACCESS_LOG_FORMATS = ["off", "ecs", "clf"] as const;

/** One of {@link ACCESS_LOG_FORMATS}. */
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];

/** The access log's settings (node flags `--access-log*`). */
export interface AccessLogOptions {
  readonly format: Exclude<AccessLogFormat, "off">;
  /** A file (absolute or relative to the working directory), `null` for stdout. */
  readonly file: string | null;
  /** Probability (0–1) that a request answered below 400 is written; 4xx and 5xx are always written. */
  readonly sampleRatio: number;
  /** Rotate the file past this many bytes (logrotate naming: `.1` … `.N`). */
  readonly rotateBytes: number;
  /** Rotated files kept. */
  readonly maxFiles: number;
  /** Node id (ECS `observer.name`, `labels.node`). */
  readonly node: string;
}

/** What an access line says of a finished request: the `logging` phase's exchange has all of it. */
export interface AccessFacts {
  readonly requestId: string;
  readonly method: string;
  /** HTTP version as in the request line: `1.1`, `1.0`, `2`. */
  readonly httpVersion: string;
  /** Canonical path, never the query string (it may hold a credential). */
  readonly logPath: string;
  readonly status: number;
  readonly routeId: string;
  readonly upstreamId: string;
  readonly consumerId: string | null;
  readonly clientAddress: string;
  readonly traceId: string;
  readonly durationMs: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly errorCode: string | undefined;
  /** `Referer`, `User-Agent` as sent (CLF only; the Referer's query is cut). */
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
}

/** Where the lines go: a writable with Node's `write` contract. */
interface LineSink {
  write(line: string): boolean;
  end(cb?: () => void): void;
  /** SonicBoom: writes what it buffered (stdout is flushed, never closed: the node's log shares it). */
  flush?(cb: (err?: Error) => void): void;
  readonly writableLength?: number;
}

/** Bytes buffered in memory for a file that does not keep up before lines are dropped (counted). */
const MAX_BUFFERED = 16 * 1024 * 1024;
/** Lines are gathered and handed to the destination once per event-loop turn, or at this size. */
const BATCH_BYTES = 64 * 1024;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Printable ASCII without `"` and `\`: written as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `10/Oct/2000:13:55:36 +0000` (Apache `%t`, UTC). */
function clfTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** A CLF quoted field: `"` and `\` escaped, control and non-ASCII bytes as `\xHH` (Apache's escaping). */
function clfQuote(s: string | undefined): string {
  if (s === undefined || s === "") return "-";
  if (PLAIN.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${s[i]}`;
    else if (c < 0x20 || c > 0x7e) out += `\\x${(c & 0xff).toString(16).padStart(2, "0")}`;
    else out += s[i];
  }
  return out;
}

/** A string as a JSON string literal, fast for the plain ASCII of methods, ids and canonical paths. */
function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * The node's access log, written at info level by the `logging` phase, one line per request:
 * - `ecs`: one JSON object per line with `@elastic/ecs-pino-format`'s field names (`@timestamp`,
 *   `log.level`, `message`, `ecs.version`, `http.request.method`, `http.request.id`,
 *   `http.request.body.bytes`, `http.response.status_code`, `http.response.body.bytes`,
 *   `url.path`, `client.ip`, `user.id` (the consumer), `event.duration` (ns), `trace.id`,
 *   `error.code`, `labels.route`, `labels.upstream`, `observer.name`);
 * - `clf`: Apache's Combined Log Format (`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`)
 *   with the consumer as `%u`, the canonical path without its query in `%r` and the Referer
 *   without its query.
 * Never a query string, a header value other than Referer (its query cut) and User-Agent (CLF),
 * a cookie or a credential. 4xx and 5xx are always written; others with `sampleRatio`. Lines are
 * gathered per event-loop turn (up to 64 KiB) and handed over in one write: to stdout through
 * pino's asynchronous SonicBoom destination, or to a file rotated by size by rotating-file-stream;
 * a destination that does not keep up (16 MiB buffered) drops lines, counted.
 */
export class AccessLog {
  readonly #format: "ecs" | "clf";
  readonly #sample: number;
  readonly #sink: LineSink;
  readonly #node: string;
  /** Lines written. */
  written = 0;
  /** Lines dropped because the destination did not keep up. */
  dropped = 0;
  /** Lines not written because of sampling. */
  sampledOut = 0;
  /** The format reads Referer and User-Agent (Combined Log Format). */
  readonly combined: boolean;
  /** Lines of this turn not yet handed to the destination. */
  #batch = "";
  #flushScheduled = false;
  readonly #stdout: boolean;
  /** The last `@timestamp` written and its ms (requests within one ms share it). */
  #isoMs = -1;
  #iso = "";
  /** The last CLF time written and its second. */
  #clfS = -1;
  #clf = "";

  constructor(o: AccessLogOptions) {
    this.#format = o.format;
    this.combined = o.format === "clf";
    this.#stdout = o.file === null;
    this.#sample = o.sampleRatio;
    this.#node = o.node;
    if (o.file === null) {
      this.#sink = pino.destination({ dest: 1, sync: false, minLength: 4096 }) as unknown as LineSink;
    } else {
      const s = createStream(basename(o.file), {
        path: dirname(o.file),
        size: `${Math.max(1, Math.ceil(o.rotateBytes / 1024))}K`,
        maxFiles: o.maxFiles,
      });
      // A failing disk must never take the node down: the lines are lost, the node serves on.
      s.on("error", () => {});
      this.#sink = s as unknown as LineSink;
    }
  }

  /** Writes the line of one finished request (or samples it out). */
  log(f: AccessFacts): void {
    if (f.status < 400 && this.#sample < 1 && Math.random() >= this.#sample) {
      this.sampledOut++;
      return;
    }
    if ((this.#sink.writableLength ?? 0) > MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.#batch += this.#format === "ecs" ? this.ecsLine(f, Date.now()) : this.clfLine(f, Date.now());
    this.written++;
    if (this.#batch.length >= BATCH_BYTES) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Hands the lines gathered so far to the destination in one write. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#batch === "") return;
    const chunk = this.#batch;
    this.#batch = "";
    this.#sink.write(chunk);
  }

  #timestamp(now: number): string {
    if (now !== this.#isoMs) {
      this.#isoMs = now;
      this.#iso = new Date(now).toISOString();
    }
    return this.#iso;
  }

  /** The ECS JSON line of `f` at `now` (ms since the epoch), with its newline. */
  ecsLine(f: AccessFacts, now: number): string {
    let s = `{"@timestamp":"${this.#timestamp(now)}","log.level":"info","message":"request","ecs.version":"8.10.0"`;
    s += `,"http":{"request":{"id":${jsonString(f.requestId)},"method":${jsonString(f.method)},"body":{"bytes":${f.requestBytes}}}`;
    s += `,"response":{"status_code":${f.status},"body":{"bytes":${f.responseBytes}}}}`;
    s += `,"url":{"path":${jsonString(f.logPath)}}`;
    if (f.clientAddress !== "") s += `,"client":{"ip":${jsonString(f.clientAddress)}}`;
    if (f.consumerId !== null) s += `,"user":{"id":${jsonString(f.consumerId)}}`;
    s += `,"event":{"duration":${Math.round(f.durationMs * 1e6)}}`;
    s += `,"trace":{"id":"${f.traceId}"}`;
    if (f.errorCode !== undefined) s += `,"error":{"code":"${f.errorCode}"}`;
    s += `,"labels":{"route":${jsonString(f.routeId)},"upstream":${jsonString(f.upstreamId)}}`;
    s += `,"observer":{"name":${jsonString(this.#node)}}}\n`;
    return s;
  }

  /** The Combined Log Format line of `f` at `now` (ms since the epoch), with its newline. */
  clfLine(f: AccessFacts, now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.#clfS) {
      this.#clfS = second;
      this.#clf = clfTime(new Date(second * 1000));
    }
    const referer = f.referer === undefined ? undefined : f.referer.split("?", 1)[0];
    return `${f.clientAddress || "-"} - ${f.consumerId === null ? "-" : clfQuote(f.consumerId)} [${this.#clf}] "${clfQuote(
      f.method,
    )} ${clfQuote(f.logPath)} HTTP/${f.httpVersion}" ${f.status} ${f.responseBytes === 0 ? "-" : f.responseBytes} "${clfQuote(
      referer,
    )}" "${clfQuote(f.userAgent)}"\n`;
  }

  /** Flushes the lines and closes the destination (stdout is only flushed). At most 2 s. */
  close(): Promise<void> {
    this.#flush();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        if (this.#stdout) {
          if (this.written === 0) done();
          else this.#sink.flush?.(() => done());
        } else this.#sink.end(done);
      } catch {
        done(); // SonicBoom not open yet: nothing was written
      }
    });
  }
}
