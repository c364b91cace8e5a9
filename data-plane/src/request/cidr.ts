import ipaddr from "ipaddr.js";

/**
 * IP addresses and CIDR sets, parsed with ipaddr.js. IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`, what a dual-stack listener reports for IPv4 peers) are read as IPv4, so
 * one rule covers both spellings.
 */

/** A parsed address. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Reads a dotted-quad IPv4 address (`192.0.2.1`, no leading zeros, no legacy forms) as an
 * unsigned 32-bit number without allocating; `-1` when `text` is not one. The hot path of CIDR
 * matching: most client addresses are IPv4.
 */
export function ipv4Number(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/**
 * Canonical text of a socket's remote address, cheaply: the kernel already gives canonical
 * forms, so only the IPv4-mapped prefix of a dual-stack listener (`::ffff:192.0.2.1`) is removed.
 */
export function canonicalPeer(text: string): string {
  if (text.length > 7 && text.charCodeAt(0) === 0x3a && text.startsWith("::ffff:") && text.includes(".", 7)) {
    return text.slice(7);
  }
  return text;
}

/**
 * Parses an address (no brackets, no port, an optional IPv6 zone is dropped).
 * @returns the address, IPv4-mapped IPv6 converted to IPv4; `undefined` when not an address
 */
export function parseAddress(text: string): IpAddress | undefined {
  const pct = text.indexOf("%");
  const t = pct === -1 ? text : text.slice(0, pct);
  if (!ipaddr.isValid(t)) return undefined;
  // ipaddr.isValid also takes legacy forms ("127.1", "0x7f.1", octal): only the standard ones here.
  if (t.includes(".") && !t.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  const a = ipaddr.parse(t);
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** The canonical text of an address: dotted IPv4, RFC 5952 IPv6 (lower case, compressed). */
export function formatAddress(a: IpAddress): string {
  return a.toString();
}

/**
 * Canonical text of an address given as text (`::ffff:10.0.0.1` → `10.0.0.1`).
 * @returns `undefined` when `text` is not an address
 */
export function canonicalAddress(text: string): string | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : a.toString();
}

/**
 * Parses a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (a /32 or /128).
 * @throws TypeError naming the value when it is neither
 */
export function parseCidr(text: string): [IpAddress, number] {
  const slash = text.indexOf("/");
  const addr = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (addr === undefined) throw new TypeError(`"${text}" is not an IP address or CIDR`);
  const max = addr.kind() === "ipv4" ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    const written = text.slice(0, slash).includes(":") ? 128 : 32;
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > written) throw new TypeError(`"${text}" has an invalid prefix length`);
    bits = Number(p);
    // An IPv4-mapped CIDR (::ffff:10.0.0.0/104) becomes the IPv4 CIDR it covers.
    if (max === 32 && written === 128) {
      if (bits < 96) throw new TypeError(`"${text}" is wider than the IPv4-mapped range`);
      bits -= 96;
    }
  }
  return [addr, bits];
}

/** An immutable set of CIDRs, matched against addresses. */
export class CidrSet {
  /** IPv4 ranges as [network, mask] pairs of unsigned 32-bit numbers. */
  readonly #v4n: number[] = [];
  readonly #v4: [ipaddr.IPv4, number][] = [];
  readonly #v6: [ipaddr.IPv6, number][] = [];
  /** The CIDRs as given. */
  readonly source: readonly string[];

  /** @throws TypeError naming the first value that is not an address or CIDR */
  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [a, bits] = parseCidr(c.trim());
      if (a.kind() === "ipv4") {
        this.#v4.push([a as ipaddr.IPv4, bits]);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        this.#v4n.push((ipv4Number(a.toString()) & mask) >>> 0, mask);
      } else this.#v6.push([a as ipaddr.IPv6, bits]);
    }
    this.source = Object.freeze([...cidrs]);
    Object.freeze(this);
  }

  /** True when the set is empty. */
  get empty(): boolean {
    return this.#v4.length === 0 && this.#v6.length === 0;
  }

  /** True when `a` is inside one of the CIDRs. */
  has(a: IpAddress): boolean {
    if (a.kind() === "ipv4") {
      for (const r of this.#v4) if ((a as ipaddr.IPv4).match(r)) return true;
    } else {
      for (const r of this.#v6) if ((a as ipaddr.IPv6).match(r)) return true;
    }
    return false;
  }

  /** Like {@link has}, for an address given as text (`false` when it is not an address). */
  hasText(text: string): boolean {
    const n = ipv4Number(text);
    if (n >= 0) {
      const r = this.#v4n;
      for (let i = 0; i < r.length; i += 2) if ((n & r[i + 1]!) >>> 0 === r[i]) return true;
      return false;
    }
    const a = parseAddress(text);
    return a !== undefined && this.has(a);
  }
}
