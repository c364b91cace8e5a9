/**
 * RFC 5424 syslog over plain TCP (RFC 6587): octet counting by default, LF framing for
 * receivers that read lines (Wazuh's remoted). See syslog-stream.ts for when a batch counts as
 * delivered.
 */
import { connect } from "node:net";
import type { ResolvedSyslog } from "@palisade/events";
import { SyslogStreamSink, whenConnected } from "./syslog-stream.js";

/** Tuning that is not part of the pushed config (tests shorten it). */
export interface StreamTuning {
  readonly confirmDelayMs?: number;
  readonly stallTimeoutMs?: number;
}

/** A TCP syslog sink for a resolved `syslog` config with `protocol: "tcp"`. */
export function createSyslogTcpSink(cfg: ResolvedSyslog, tuning: StreamTuning = {}): SyslogStreamSink {
  return new SyslogStreamSink({
    framing: cfg.framing,
    ...tuning,
    dial: () => whenConnected(connect({ host: cfg.host, port: cfg.port }), "connect", cfg.connectTimeoutMs),
  });
}
