/**
 * Forwarding headers a proxy adds: `Forwarded` (RFC 7239) and `Via` (RFC 9110 §7.6.3).
 */

// RFC 9110 §5.6.2 tchar: a Forwarded value that is not a token must be a quoted-string.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Formatted `host=` values by Host header: a node sees few distinct hosts. Bounded. */
const hostValues = new Map<string, string>();

/** A Forwarded parameter value: a token as is, anything else as a quoted-string (RFC 7239 §4). */
function value(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, "\\$&")}"`;
}

function hostValue(host: string): string {
  let v = hostValues.get(host);
  if (v === undefined) {
    v = value(host);
    if (hostValues.size >= 1024) hostValues.clear();
    hostValues.set(host, v);
  }
  return v;
}

/**
 * One `Forwarded` element for this hop (RFC 7239 §4-5): `for=` the client (an IPv6 address in
 * brackets and quotes, §6), `host=` the request's Host, `proto=` http or https.
 * `for=192.0.2.60;host=api.example.com;proto=https`, `for="[2001:db8::1]";proto=http`.
 * @param client the client address (the canonical view: request/client-address.ts), `undefined` = `unknown` (§6.3)
 */
export function forwardedElement(client: string | undefined, host: string | undefined, tls: boolean): string {
  // The last element built: a keep-alive client gets the same one on every request.
  const last = lastElement;
  if (client === last.client && host === last.host && tls === last.tls) return last.value;
  const node = client === undefined ? "unknown" : client.includes(":") ? `"[${client}]"` : client;
  let out = `for=${node}`;
  if (host !== undefined) out += `;host=${hostValue(host)}`;
  const value = `${out};proto=${tls ? "https" : "http"}`;
  lastElement = { client, host, tls, value };
  return value;
}

let lastElement: {
  readonly client: string | undefined;
  readonly host: string | undefined;
  readonly tls: boolean;
  readonly value: string;
} = { client: "", host: "", tls: false, value: "" };

/** The pseudonym this proxy gives itself in `Via` (RFC 9110 §7.6.3: received-by). */
export const VIA_PSEUDONYM = "palisade";

const VIA_11 = `1.1 ${VIA_PSEUDONYM}`;
const VIA_2 = `2 ${VIA_PSEUDONYM}`;

/**
 * The `Via` entry of this hop for a message received as HTTP/`httpVersion` (`1.1`, `2`, `1.0`),
 * appended to what the message already carries: `1.0 fred, 1.1 palisade`.
 */
export function viaValue(existing: string | string[] | undefined, httpVersion: string): string {
  const own = httpVersion === "1.1" ? VIA_11 : httpVersion === "2.0" ? VIA_2 : `${httpVersion} ${VIA_PSEUDONYM}`;
  if (existing === undefined || existing === "") return own;
  return `${typeof existing === "string" ? existing : existing.join(", ")}, ${own}`;
}
