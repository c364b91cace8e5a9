/**
 * The one authority of a request (RFC 9112 §3.2.2, RFC 9110 §7.2): the authority of an
 * absolute-form target, else the `Host` header. A request whose two sources disagree is refused
 * (RFC 9112 lets a server ignore `Host` then; a gateway that routes on one and forwards the
 * other is the classic host confusion, so both must name the same host). Syntax per RFC 3986
 * §3.2.2/§3.2.3: reg-name, IPv4 or bracketed IPv6, optional decimal port; no userinfo, no spaces.
 */

/** A parsed authority. */
export interface Authority {
  /** Lower-case host without the port and without a trailing root dot; IPv6 keeps its brackets. `""` when none. */
  readonly host: string;
  /** The port, `null` when absent. */
  readonly port: number | null;
  /** `host[:port]` (lower-case), what `X-Forwarded-Host` carries. `""` when none. */
  readonly value: string;
}

/** The empty authority (HTTP/1.0 without `Host`, or an empty `Host`). */
export const NO_AUTHORITY: Authority = Object.freeze({ host: "", port: null, value: "" });

// RFC 3986 reg-name characters without pct-encoding (which no real client sends in Host).
const REG_NAME = /^[a-z0-9\-._~!$&'()*+,;=]+$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** The last value parsed and its result: a keep-alive client sends the same `Host` on every request. */
let lastValue = "";
let lastAuthority: Authority | undefined = NO_AUTHORITY;

/**
 * Parses an authority (`Host` value or absolute-form authority). The result is shared (it is
 * read-only): the same value gives the same object.
 * @returns the authority, or `undefined` when the value is not `host[:port]`
 */
export function parseAuthority(value: string): Authority | undefined {
  if (value === lastValue) return lastAuthority;
  const a = parse(value);
  lastValue = value;
  lastAuthority = a;
  return a;
}

function parse(value: string): Authority | undefined {
  if (value === "") return NO_AUTHORITY;
  const v = value.toLowerCase();
  let host: string;
  let portText: string | null = null;
  if (v.charCodeAt(0) === 0x5b /* [ */) {
    const end = v.indexOf("]");
    if (end === -1) return undefined;
    host = v.slice(0, end + 1);
    if (!IPV6.test(host)) return undefined;
    const rest = v.slice(end + 1);
    if (rest !== "") {
      if (rest.charCodeAt(0) !== 0x3a) return undefined;
      portText = rest.slice(1);
    }
  } else {
    const colon = v.indexOf(":");
    host = colon === -1 ? v : v.slice(0, colon);
    if (colon !== -1) portText = v.slice(colon + 1);
    if (host.endsWith(".")) host = host.slice(0, -1);
    if (host === "" || !REG_NAME.test(host)) return undefined;
  }
  let port: number | null = null;
  if (portText !== null && portText !== "") {
    if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    if (port > 65535) return undefined;
  } else if (portText === "") {
    return undefined;
  }
  return { host, port, value: port === null ? host : `${host}:${port}` };
}

/** Why the request's authority was refused. */
export type AuthorityRefusal = "host_missing" | "host_invalid" | "host_conflict";

/**
 * Resolves the request's one authority.
 * @param targetAuthority authority of an absolute-form target, `null` for origin-form
 * @param targetScheme scheme of an absolute-form target (for its default port), `null` for origin-form
 * @param hostValues every `Host` field value, in order (duplicates were refused before)
 * @param http11 true for HTTP/1.1 (where `Host` is required, RFC 9112 §3.2)
 */
export function resolveAuthority(
  targetAuthority: string | null,
  targetScheme: "http" | "https" | null,
  hostValues: readonly string[],
  http11: boolean,
): Authority | AuthorityRefusal {
  if (hostValues.length > 1) return "host_conflict";
  const hostValue = hostValues[0];
  if (hostValue === undefined && http11) return "host_missing";
  const fromHost = hostValue === undefined ? NO_AUTHORITY : parseAuthority(hostValue);
  if (fromHost === undefined) return "host_invalid";
  if (targetAuthority === null) return fromHost;
  const fromTarget = parseAuthority(targetAuthority);
  if (fromTarget === undefined || fromTarget === NO_AUTHORITY) return "host_invalid";
  const dflt = targetScheme === "https" ? 443 : 80;
  if (
    hostValue !== undefined &&
    (fromHost.host !== fromTarget.host || (fromHost.port ?? dflt) !== (fromTarget.port ?? dflt))
  )
    return "host_conflict";
  return fromTarget;
}
