/**
 * Host names for routing: request `Host` values are compared lower-case (RFC 9110 §4.2.3: the
 * host is case-insensitive), without the port and without a trailing root dot.
 */

/**
 * Normalizes a request's `Host` header for matching: lower-case, port stripped, trailing dot
 * stripped. `[::1]:8000` → `[::1]`; `Example.COM.:80` → `example.com`. `undefined` → `""`.
 */
export function normalizeHost(host: string | undefined): string {
  if (host === undefined || host === "") return "";
  let h = host;
  if (h.charCodeAt(0) === 0x5b /* [ */) {
    const end = h.indexOf("]");
    h = end === -1 ? h : h.slice(0, end + 1);
  } else {
    const colon = h.indexOf(":");
    if (colon !== -1) h = h.slice(0, colon);
    if (h.charCodeAt(h.length - 1) === 0x2e /* . */) h = h.slice(0, -1);
  }
  return h.toLowerCase();
}

/** A host pattern of a route: exact (`api.example.com`) or leading wildcard (`*.example.com`). */
export type HostPattern =
  | { readonly kind: "exact"; readonly host: string }
  | { readonly kind: "wildcard"; readonly suffix: string };

const LABEL = "[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/**
 * Parses a configured host pattern. `*.example.com` matches any name below example.com
 * (`a.example.com`, `a.b.example.com`) but not `example.com` itself, as in nginx `server_name`.
 * @returns the pattern, or `undefined` when the value is not a host name, an IP literal or a
 *   leading wildcard (ports and other wildcard forms are refused)
 */
export function parseHostPattern(value: string): HostPattern | undefined {
  let v = value.toLowerCase();
  if (v.endsWith(".")) v = v.slice(0, -1);
  if (v.startsWith("*.")) {
    const rest = v.slice(2);
    return HOSTNAME.test(rest) ? { kind: "wildcard", suffix: `.${rest}` } : undefined;
  }
  return HOSTNAME.test(v) || IPV6.test(v) ? { kind: "exact", host: v } : undefined;
}
