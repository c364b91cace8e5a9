/**
 * Header types every layer of the data plane shares: the engine's lazy views over received
 * header sections, and the plain objects headers are built into. A leaf module (it imports
 * nothing), so that the proxy loop, the phases, the policies and the upstream client can all
 * name these types without importing each other.
 */

/**
 * Fields that are hop-by-hop whether or not `Connection` names them (RFC 9110 §7.6.1, RFC 9112
 * §6.1, and the non-standard `Proxy-Connection`): never forwarded, always the writer's own. The
 * one list of them for the engine (the request loop's drop sets are built from it).
 */
export const HOP_BY_HOP_FIELDS: readonly string[] = Object.freeze([
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

/** Header values as node:http and undici give them: lower-case names, arrays for repeated fields. */
export type HeaderValues = Readonly<Record<string, string | string[] | undefined>>;

/** An outgoing header object (lower-case names). */
export type OutgoingHeaders = Record<string, string | string[]>;

/**
 * A read-only view of a received header section (request, response or trailers). Nothing is
 * decoded until asked: a lookup compares the name against the raw bytes, and only the values
 * asked for become strings (latin1, so obs-text bytes 0x80-0xff come back one char each, as
 * node:http gives them).
 */
export interface HeaderFields {
  /** Number of field lines. */
  readonly size: number;
  /**
   * The value of `name` (any case): the one line's value, the values of several lines joined
   * with `", "` (RFC 9110 §5.3), `undefined` when absent.
   */
  get(name: string): string | undefined;
  /** The value of each line named `name`, in order (empty when absent). */
  getAll(name: string): string[];
  /** Number of lines named `name`. */
  count(name: string): number;
  /** Whether a line named `name` is present. */
  has(name: string): boolean;
  /** The name of line `i` as received (original case). */
  nameAt(i: number): string;
  /** The value of line `i` (OWS trimmed). */
  valueAt(i: number): string;
  /** Bytes of line `i`'s name plus its value (OWS trimmed), without decoding either. */
  lineBytes(i: number): number;
  /**
   * The header object node:http builds (`IncomingMessage.headers`): lower-case names; for
   * repeated lines `set-cookie` is an array, `cookie` joined with `"; "`, the single-valued
   * fields node keeps the first of (host, authorization, content-type, …), others joined with
   * `", "`. Built on each call: callers that need it once keep it.
   */
  toObject(): HeaderValues;
  /** node's `rawHeaders` shape: `[name, value, name, value, …]`, names as received. */
  rawPairs(): string[];
}
