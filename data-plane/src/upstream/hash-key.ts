import type { HashOn } from "@palisade/proto";
import type { HeaderFields } from "../http/headers.js";
import { hash32 } from "./hash.js";

/** What a ring hash balances on. */
export type HashOnSpec =
  | { readonly kind: "header"; readonly name: string }
  | { readonly kind: "cookie"; readonly name: string }
  | { readonly kind: "client_ip" };

// RFC 9110 §5.6.2 token (header and cookie names).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Resolves the upstream's `hash_on`.
 * @returns the spec, `null` when unset
 * @throws Error with a message naming the field when a header or cookie name is not a token
 */
export function resolveHashOn(h: HashOn | undefined): HashOnSpec | null {
  const k = h?.key;
  if (k === undefined || k.case === undefined) return null;
  switch (k.case) {
    case "header":
      if (!TOKEN.test(k.value)) throw new Error(`hash_on.header: "${k.value}" is not a header name`);
      return Object.freeze({ kind: "header", name: k.value.toLowerCase() });
    case "cookie":
      if (!TOKEN.test(k.value)) throw new Error(`hash_on.cookie: "${k.value}" is not a cookie name`);
      return Object.freeze({ kind: "cookie", name: k.value });
    case "clientIp":
      return k.value ? Object.freeze({ kind: "client_ip" }) : null;
    default:
      return null;
  }
}

/**
 * The request's balancing key hashed to 32 bits, or -1 when the request has none (no such
 * header or cookie): the ring hash then picks at random.
 * @param clientIp the client address as the proxy sees it (the canonical view: request/client-address.ts)
 */
export function hashKeyOf(spec: HashOnSpec, fields: HeaderFields, clientIp: string | undefined): number {
  let key: string | undefined;
  switch (spec.kind) {
    case "header":
      key = fields.get(spec.name);
      break;
    case "cookie": {
      const n = fields.count("cookie");
      key = cookieValue(n <= 1 ? fields.get("cookie") : fields.getAll("cookie").join("; "), spec.name);
      break;
    }
    case "client_ip":
      key = clientIp;
      break;
  }
  return key === undefined || key === "" ? -1 : hash32(key);
}

/** The value of cookie `name` in a `Cookie` header (RFC 6265 §4.2.1), the first one if repeated. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let at = 0;
  while (at < header.length) {
    let end = header.indexOf(";", at);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", at);
    if (eq !== -1 && eq < end && header.slice(at, eq).trim() === name) return header.slice(eq + 1, end).trim();
    at = end + 1;
  }
  return undefined;
}
