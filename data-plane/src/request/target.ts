/**
 * Request-target forms (RFC 9112 §3.2). Only origin-form (`/path?query`) and absolute-form
 * (`http://host/path?query`, §3.2.2: a server MUST accept it) carry a resource; asterisk-form
 * (`*`) and authority-form (CONNECT) are refused by the proxy.
 */

/** A parsed request-target: raw path (not yet canonical), raw query, and the authority of an absolute-form target. */
export interface RequestTarget {
  /** Starts with "/" (an absolute-form target without a path gives "/"). */
  readonly rawPath: string;
  /** `""` or `"?..."`, as received. */
  readonly query: string;
  /** The authority of an absolute-form target (`host[:port]`), `null` for origin-form. */
  readonly authority: string | null;
  /** `http` or `https` for absolute-form, `null` for origin-form. */
  readonly scheme: "http" | "https" | null;
}

/** Why a request-target was refused. */
export type TargetRefusal = "target_form" | "target_userinfo" | "target_fragment";

const ABSOLUTE = /^(https?):\/\/([^/?#]*)(.*)$/i;

/**
 * Splits a request-target (node's `req.url`, which is never decoded).
 * @returns the parts, or why the target is refused: not origin- or absolute-form (`*`,
 *   relative, other schemes), userinfo in the authority (RFC 9110 §4.2.4 forbids it in http
 *   URIs), or a `#` (a fragment is never sent, RFC 9112 §3.2)
 */
export function parseRequestTarget(url: string): RequestTarget | TargetRefusal {
  let rest = url;
  let authority: string | null = null;
  let scheme: "http" | "https" | null = null;
  if (url.charCodeAt(0) !== 0x2f) {
    const m = ABSOLUTE.exec(url);
    if (m === null) return "target_form";
    scheme = m[1]!.toLowerCase() as "http" | "https";
    authority = m[2]!;
    if (authority.includes("@")) return "target_userinfo";
    rest = m[3] === "" ? "/" : m[3]!;
    if (rest.charCodeAt(0) === 0x3f) rest = `/${rest}`;
  }
  if (rest.includes("#")) return "target_fragment";
  const q = rest.indexOf("?");
  return q === -1
    ? { rawPath: rest, query: "", authority, scheme }
    : { rawPath: rest.slice(0, q), query: rest.slice(q), authority, scheme };
}
