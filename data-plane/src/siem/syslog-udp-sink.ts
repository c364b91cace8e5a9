/**
 * RFC 5424 syslog over UDP (RFC 5426): one message per datagram, no framing, best effort — UDP
 * has no delivery acknowledgement (RFC 5426 §3.6). The socket is connected, so a receiver that
 * is not listening shows up as ECONNREFUSED on a later send (the ICMP port unreachable): the
 * batch is retried after backoff like any failure, but datagrams sent before that error was
 * known are lost. Use TCP or TLS where losing an event matters.
 */
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import type { ResolvedSyslog } from "@palisade/events";
import { classifyNetError, type Sink, SinkError } from "./sink.js";
import type { SpoolRecord } from "./spool-record.js";

/** A UDP syslog sink. */
export class SyslogUdpSink implements Sink {
  readonly window = 4;
  readonly #cfg: ResolvedSyslog;
  #socket: Socket | null = null;
  #error: SinkError | null = null;

  constructor(cfg: ResolvedSyslog) {
    this.#cfg = cfg;
  }

  async connect(): Promise<void> {
    let address: { address: string; family: number };
    try {
      address = await lookup(this.#cfg.host);
    } catch (e) {
      throw classifyNetError(e);
    }
    const s = createSocket(address.family === 6 ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      s.once("error", (e) => reject(classifyNetError(e)));
      s.connect(this.#cfg.port, address.address, () => resolve());
    });
    s.on("error", (e) => {
      this.#error = classifyNetError(e);
    });
    this.#error = null;
    this.#socket = s;
  }

  async send(batch: readonly SpoolRecord[]): Promise<undefined> {
    const s = this.#socket;
    if (!s) throw new SinkError("closed", "not connected");
    if (this.#error) throw this.#error;
    await Promise.all(
      batch.map(
        (r) =>
          new Promise<void>((resolve, reject) => {
            s.send(r.payload, (err) => (err ? reject(classifyNetError(err)) : resolve()));
          }),
      ),
    );
    return undefined;
  }

  async close(): Promise<void> {
    const s = this.#socket;
    this.#socket = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
