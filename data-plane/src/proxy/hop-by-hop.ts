/**
 * Hop-by-hop header handling (RFC 9110 §7.6.1): a proxy must not forward the connection-specific
 * fields, nor any field named in `Connection`. Applied to the upstream request and to the
 * response sent back to the client.
 */

/** Fields that are hop-by-hop whether or not `Connection` names them (RFC 9110 §7.6.1, RFC 9112 §6.1). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
]);

const PLAIN_CONNECTION = /^(?:keep-alive|close|upgrade)$/i;

/** Header values as node:http and undici give them (lower-case names). */
export type HeaderValues = Readonly<Record<string, string | string[] | undefined>>;

/** Outgoing header object (lower-case names). */
export type OutgoingHeaders = Record<string, string | string[]>;

/**
 * The field names listed in a `Connection` header, lower-case (`"close, X-Foo"` → {close, x-foo}).
 * @returns `null` when there is no `Connection` header
 */
export function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> | null {
  if (value === undefined) return null;
  // The usual values name no other field (and are hop-by-hop themselves): no Set to build.
  if (typeof value === "string" && PLAIN_CONNECTION.test(value)) return null;
  const out = new Set<string>();
  for (const part of typeof value === "string" ? [value] : value) {
    for (const t of part.split(",")) {
      const name = t.trim().toLowerCase();
      if (name !== "") out.add(name);
    }
  }
  return out;
}

/**
 * Copies `headers` without the hop-by-hop fields, the fields named in its `Connection` header,
 * the names in `drop`, HTTP/2 pseudo-headers (`:path`, …, RFC 9113 §8.3) and undefined values.
 * @param drop extra lower-case names to leave out (e.g. headers the proxy sets itself)
 * @param dropUnderscored also leave out names containing `_` (ambiguous with `-` behind some
 *   servers, so a client could smuggle an identity header; case C21)
 */
export function withoutHopByHop(
  headers: HeaderValues,
  drop?: ReadonlySet<string>,
  dropUnderscored = false,
): OutgoingHeaders {
  const tokens = connectionTokens(headers.connection);
  const out: OutgoingHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || drop?.has(name) || tokens?.has(name) || name.charCodeAt(0) === 0x3a) continue;
    if (dropUnderscored && name.includes("_")) continue;
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
