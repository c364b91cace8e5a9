import type { ByteString } from "../bytes.js";

/** The parts of a request-target the variables need. */
export interface TargetParts {
  /** REQUEST_URI: the target without scheme and authority (origin form), query included. */
  readonly uri: ByteString;
  /** REQUEST_FILENAME: the path of `uri`, without the query string, `%HH`-decoded. */
  readonly path: ByteString;
  /** REQUEST_BASENAME: the last segment of `path` (after the last `/`, decoded). */
  readonly basename: ByteString;
  /** QUERY_STRING: the text after the first `?`, without a `#fragment`; "" when none. */
  readonly query: ByteString;
  /** Whether the target had a `?`. */
  readonly hasQuery: boolean;
}

/**
 * Splits a raw request-target as ModSecurity does for REQUEST_URI, REQUEST_FILENAME,
 * REQUEST_BASENAME and QUERY_STRING: an absolute-form target (`http://host/p?q`) loses its scheme
 * and authority. REQUEST_URI and QUERY_STRING stay as sent; the path (REQUEST_FILENAME,
 * REQUEST_BASENAME) is `%HH`-decoded as ModSecurity v3 and Coraza decode it (CRS 933151 reads
 * `REQUEST_FILENAME` with `t:none` and expects `array_diff%20%28` to read `array_diff (`).
 */
export function splitTarget(target: ByteString): TargetParts {
  let uri = target;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (scheme) uri = target.slice(scheme[0].length) || "/";
  const hash = uri.indexOf("#");
  const noFragment = hash >= 0 ? uri.slice(0, hash) : uri;
  const q = noFragment.indexOf("?");
  const path = decodePath(q >= 0 ? noFragment.slice(0, q) : noFragment);
  const query = q >= 0 ? noFragment.slice(q + 1) : "";
  const slash = path.lastIndexOf("/");
  return { uri, path, basename: slash >= 0 ? path.slice(slash + 1) : path, query, hasQuery: q >= 0 };
}

/** `%HH` → the byte; anything else (an invalid escape, `+`) as it is. */
export function decodePath(path: ByteString): ByteString {
  if (!path.includes("%")) return path;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}
