/**
 * The one registry of this package's error codes: refusals of a SIEM sink or trace export config. The control
 * plane answers a publish with them (400, `{code, field}`), a node NACKs with them. Messages
 * name the field at fault, never its value (a TLS key or a webhook's Authorization header may
 * be in it).
 */

/** Error codes with their fixed message. */
export const SINK_CONFIG_ERRORS = {
  SINK_NAME_INVALID: "a sink name is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit",
  SINK_NAME_DUPLICATE: "two sinks have the same name",
  SINK_KIND_INVALID: "the sink kind must be syslog, file or webhook",
  SINK_ADDRESS_INVALID: "the address must be host:port with a port from 1 to 65535",
  SINK_PROTOCOL_INVALID: "the syslog protocol must be udp, tcp or tls",
  SINK_FRAMING_INVALID: "the framing must be octet-counting or lf, and applies to tcp and tls only",
  SINK_FACILITY_INVALID: "the facility must be a syslog facility name (RFC 5424 section 6.2.1), e.g. local0",
  SINK_HEADER_FIELD_INVALID: "the syslog header field must be printable ASCII within its RFC 5424 length",
  SINK_TLS_INVALID: "the TLS material is not a PEM certificate or key, or a key is given without its certificate",
  SINK_URL_INVALID: "the webhook or trace export URL must be an absolute http or https URL without credentials",
  SINK_HEADER_INVALID:
    "a webhook or trace export header name or value is not valid HTTP, or names a header the client sets itself",
  SINK_FORMAT_INVALID: "the webhook format must be ndjson or json",
  SINK_PATH_INVALID: "the file path must be an absolute path",
  SINK_VALUE_OUT_OF_RANGE: "the number is outside its allowed range",
  SINK_OVERRIDE_INVALID:
    "an override gives both or neither of a sink and disabled, its sink has another name, or it disables a sink no fleet-wide sink has",
  SINK_SELECTOR_INVALID: "an override's selector names no region, label or node id",
  SECRET_NAME_INVALID:
    "a secret header is not an HTTP field name, or a secret field name is not 1-128 printable ASCII characters",
  TRACE_RATIO_INVALID: "the trace sample ratio must be a number from 0 to 1",
} as const;

/** One of the keys of {@link SINK_CONFIG_ERRORS}. */
export type SinkConfigErrorCode = keyof typeof SINK_CONFIG_ERRORS;

/** A refused sink config: a stable code and the field at fault, e.g. `sinks[0].transport.value.address`. */
export class SinkConfigError extends Error {
  readonly code: SinkConfigErrorCode;
  readonly field: string;

  constructor(code: SinkConfigErrorCode, field: string) {
    super(`${field}: ${SINK_CONFIG_ERRORS[code]}`);
    this.name = "SinkConfigError";
    this.code = code;
    this.field = field;
  }

  /** The JSON error body of the admin API: `{error: {code, message, field}}`. */
  toJSON(): { error: { code: SinkConfigErrorCode; message: string; field: string } } {
    return { error: { code: this.code, message: SINK_CONFIG_ERRORS[this.code], field: this.field } };
  }
}
