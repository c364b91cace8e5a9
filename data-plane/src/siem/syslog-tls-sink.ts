/**
 * RFC 5424 syslog over TLS (RFC 5425): octet-counting framing (§4.3), the receiver's
 * certificate verified against the configured CA (or the system store) and the address's host
 * name, or `serverName` (§5.2, §5.3; Node's checkServerIdentity: DNS and IP subjectAltNames),
 * an optional client certificate. A certificate that does not verify is a `tls` failure:
 * counted, retried with backoff, never ignored.
 */
import { isIP } from "node:net";
import { connect } from "node:tls";
import type { ResolvedSyslog } from "@palisade/events";
import { SyslogStreamSink, whenConnected } from "./syslog-stream.js";
import type { StreamTuning } from "./syslog-tcp-sink.js";

/** A TLS syslog sink for a resolved `syslog` config with `protocol: "tls"`. */
export function createSyslogTlsSink(cfg: ResolvedSyslog, tuning: StreamTuning = {}): SyslogStreamSink {
  const tls = cfg.tls ?? {};
  const servername = tls.serverName ?? (isIP(cfg.host) ? undefined : cfg.host);
  return new SyslogStreamSink({
    framing: "octet-counting",
    ...tuning,
    dial: () =>
      whenConnected(
        connect({
          host: cfg.host,
          port: cfg.port,
          ...(servername ? { servername } : {}),
          ...(tls.caPem ? { ca: tls.caPem } : {}),
          ...(tls.certPem ? { cert: tls.certPem, key: tls.keyPem } : {}),
          rejectUnauthorized: true,
          minVersion: "TLSv1.2",
        }),
        "secureConnect",
        cfg.connectTimeoutMs,
      ),
  });
}
