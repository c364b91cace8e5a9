import { CidrSet, canonicalPeer, formatAddress, type IpAddress, parseAddress } from "./cidr.js";

/**
 * The client address of a request: the TCP peer, unless the peer is a trusted proxy, in which
 * case the forwarding header the operator names is walked from the right (the hop closest to
 * this node) and the first address that is not a trusted proxy is the client (the right-most
 * untrusted address: nginx `real_ip_recursive on`, Envoy `xff_num_trusted_hops`). Entries left
 * of it are whatever the client wrote and are never used, so a client can never choose its own
 * address (case C35). An entry that is not an address (`unknown`, `_hidden`, garbage) stops the
 * walk: the client is then the last trusted hop reached, never the garbage.
 */

/** Which header trusted proxies write the client chain into. */
export type ClientAddressHeader = "x-forwarded-for" | "forwarded";

/** Trusted proxies: the CIDRs and the header they write. Immutable. */
export class TrustedProxies {
  readonly cidrs: CidrSet;
  readonly header: ClientAddressHeader;

  /** @throws TypeError naming a value that is not an address or CIDR */
  constructor(cidrs: readonly string[], header: ClientAddressHeader = "x-forwarded-for") {
    this.cidrs = new CidrSet(cidrs);
    this.header = header;
    Object.freeze(this);
  }
}

/** The resolved client address and the chain forwarded upstream. */
export interface ClientAddress {
  /** Canonical text (dotted IPv4, RFC 5952 IPv6). */
  readonly address: string;
  /** Canonical peer address. */
  readonly peer: string;
  /** The peer is one of the trusted proxies (its forwarding headers and trace flags count). */
  readonly peerTrusted: boolean;
  /**
   * The hops from the client to this node, client first, peer last (`[client]` when the peer is
   * the client): the `X-Forwarded-For` this node sends.
   */
  readonly chain: readonly string[];
}

/** Reads one `X-Forwarded-For` entry: an address, optionally `[v6]:port` or `v4:port`. */
function xffEntry(raw: string): IpAddress | undefined {
  let t = raw.trim();
  if (t.charCodeAt(0) === 0x5b /* [ */) {
    const end = t.indexOf("]");
    if (end === -1) return undefined;
    t = t.slice(1, end);
  } else if (t.indexOf(":") !== -1 && t.indexOf(":") === t.lastIndexOf(":") && t.includes(".")) {
    t = t.slice(0, t.indexOf(":"));
  }
  return parseAddress(t);
}

/** Reads the `for=` parameter of one `Forwarded` element (RFC 7239 §4, §6). */
function forwardedEntry(element: string): IpAddress | undefined {
  for (const pair of element.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim().toLowerCase() !== "for") continue;
    let v = pair.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    return xffEntry(v);
  }
  return undefined;
}

function entries(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(",") : value;
  return text === "" ? [] : text.split(",");
}

/**
 * Resolves the client address.
 * @param peer the socket's remote address (`req.socket.remoteAddress`); `undefined` when the
 *   socket is already gone
 * @param headerValue the trusted header's value(s) as node parsed them (duplicates joined)
 * @param trusted trusted proxies, `null` when none are configured
 */
export function resolveClientAddress(
  peer: string | undefined,
  headerValue: string | string[] | undefined,
  trusted: TrustedProxies | null,
): ClientAddress {
  const peerText = peer === undefined ? "" : canonicalPeer(peer);
  if (trusted === null || !trusted.cidrs.hasText(peerText)) {
    return { address: peerText, peer: peerText, peerTrusted: false, chain: [peerText] };
  }
  const list = entries(headerValue);
  const chain = [peerText];
  for (let i = list.length - 1; i >= 0; i--) {
    const a = trusted.header === "forwarded" ? forwardedEntry(list[i]!) : xffEntry(list[i]!);
    if (a === undefined) break;
    const text = formatAddress(a);
    chain.unshift(text);
    if (!trusted.cidrs.has(a)) return { address: text, peer: peerText, peerTrusted: true, chain };
  }
  return { address: chain[0]!, peer: peerText, peerTrusted: true, chain };
}
