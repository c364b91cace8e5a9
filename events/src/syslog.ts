/**
 * RFC 5424 syslog messages of ECS documents, and a strict parser of them (for tests and tools).
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - {ECS JSON}
 *
 * PRI = facility × 8 + the event's severity (§6.2.1); TIMESTAMP is the event's `@timestamp`
 * (§6.2.3, UTC, milliseconds); MSGID is `event.action` (§6.2.7); STRUCTURED-DATA is the NILVALUE
 * and MSG is the whole ECS document as ASCII JSON. Why JSON in MSG rather than structured data:
 * Wazuh's pre-decoder does not parse RFC 5424 headers nor SD (wazuh/wazuh#2038, #16994 "won't
 * fix") but its decoders have a JSON plugin; rsyslog turns a JSON MSG into properties with
 * mmjsonparse, Elastic and Vector parse it natively; SD would need escaping of `"`, `\` and `]`
 * in every value (§6.3.3), cannot nest, and an SD-ID of our own needs an IANA enterprise number
 * (§7.2.2) Palisade does not have. MSG is ASCII, so no BOM is written (§6.4 allows MSG-ANY).
 */
import type { EcsSecurityEvent } from "./ecs.js";
import { ecsJson } from "./ecs-json.js";
import { FACILITY, type FacilityName, type Severity, syslogPri } from "./severity.js";

/** Header fields of the syslog messages a sink writes. */
export interface SyslogHeader {
  /** Default `local0`. */
  readonly facility?: FacilityName;
  /** HOSTNAME: the node id or host name (1–255 printable ASCII; others become `_`). */
  readonly hostname: string;
  /** APP-NAME, default `palisade` (1–48 printable ASCII). */
  readonly appName?: string;
  /** PROCID, e.g. the process id (1–128 printable ASCII); `-` when absent. */
  readonly procId?: string | number;
  /**
   * Largest message in bytes, header included (RFC 5425 §4.3.1: receivers must take 2,048 and
   * should take 8,192; rsyslog's default `maxMessageSize` is 8 KiB). Default 8,192.
   */
  readonly maxBytes?: number;
}

/** The NILVALUE (§6). */
const NIL = "-";

/** PRINTUSASCII (%d33-126) of at most `max` characters; other characters become `_`; empty → `-`. */
function headerField(v: string | number | undefined, max: number): string {
  if (v === undefined) return NIL;
  const s = String(v);
  if (s === "") return NIL;
  let out = "";
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    out += c >= 33 && c <= 126 ? s[i] : "_";
  }
  return out;
}

/**
 * One RFC 5424 message (without transport framing) carrying the document as JSON.
 * @returns ASCII text; its length is its size in bytes
 */
export function formatSyslog(doc: EcsSecurityEvent, h: SyslogHeader): string {
  const pri = syslogPri(FACILITY[h.facility ?? "local0"], doc.event.severity);
  const header = `<${pri}>1 ${doc["@timestamp"]} ${headerField(h.hostname, 255)} ${headerField(
    h.appName ?? "palisade",
    48,
  )} ${headerField(h.procId, 128)} ${headerField(doc.event.action, 32)} ${NIL} `;
  const max = h.maxBytes ?? 8192;
  return header + ecsJson(doc, Math.max(0, max - header.length));
}

/** A parsed RFC 5424 message. Nil fields are `null`. */
export interface ParsedSyslog {
  readonly facility: number;
  readonly severity: Severity;
  readonly version: number;
  readonly timestamp: string | null;
  readonly hostname: string | null;
  readonly appName: string | null;
  readonly procId: string | null;
  readonly msgId: string | null;
  readonly structuredData: string | null;
  readonly msg: string;
}

const RFC5424 =
  /^<(\d{1,3})>([1-9]\d{0,2}) (-|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) (-|(?:\[[^\]]*\])+)(?: ([\s\S]*))?$/;

/**
 * Parses one RFC 5424 message (the grammar of §6, structured data kept as text).
 * @throws Error naming the first field that does not follow the grammar
 */
export function parseSyslog(line: string): ParsedSyslog {
  const m = RFC5424.exec(line);
  if (!m) throw new Error(`not an RFC 5424 message: ${line.slice(0, 80)}`);
  const pri = Number(m[1]);
  if (pri > 191) throw new Error(`PRI ${pri} is over 191`);
  const nil = (s: string | undefined) => (s === undefined || s === NIL ? null : s);
  return {
    facility: pri >> 3,
    severity: (pri & 7) as Severity,
    version: Number(m[2]),
    timestamp: nil(m[3]),
    hostname: nil(m[4]),
    appName: nil(m[5]),
    procId: nil(m[6]),
    msgId: nil(m[7]),
    structuredData: nil(m[8]),
    msg: m[9] ?? "",
  };
}
