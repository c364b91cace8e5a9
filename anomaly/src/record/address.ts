import ipaddr from "ipaddr.js";

/**
 * Client addresses as 128 bits (four big-endian 32-bit words), IPv4 as IPv4-mapped IPv6
 * (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) so one layout covers both families. {@link packAddress}
 * is the hot path (no allocation); formatting back to text is for explanations and summaries.
 */

const groups = new Uint16Array(8);

/** Reads dotted IPv4 at `text[from..]` to an unsigned number; -1 when it is not one. */
function ipv4At(text: string, from: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 0x25 /* % zone */) {
      break;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Parses IPv6 text (RFC 4291 §2.2, zone after `%` ignored) into `groups`; false when invalid. */
function parseV6(text: string): boolean {
  groups.fill(0);
  let n = 0; // groups written
  let gap = -1; // index in groups where "::" is
  let i = 0;
  const len = text.length;
  if (len < 2) return false;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === len) return true;
  }
  while (i < len) {
    const c0 = text.charCodeAt(i);
    if (c0 === 0x25) break;
    // An embedded IPv4 tail (`::ffff:192.0.2.1`).
    let j = i;
    let value = 0;
    let digits = 0;
    while (j < len) {
      const d = hexDigit(text.charCodeAt(j));
      if (d < 0) break;
      value = value * 16 + d;
      if (++digits > 4) return false;
      j++;
    }
    if (j < len && text.charCodeAt(j) === 0x2e) {
      const v4 = ipv4At(text, i);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = len;
      break;
    }
    if (digits === 0 || n === 8) return false;
    groups[n++] = value;
    i = j;
    if (i === len) break;
    const c = text.charCodeAt(i);
    if (c === 0x25) break;
    if (c !== 0x3a) return false;
    i++;
    if (i < len && text.charCodeAt(i) === 0x3a) {
      if (gap !== -1) return false;
      gap = n;
      i++;
      if (i === len) break;
    } else if (i === len) {
      return false;
    }
  }
  if (gap === -1) return n === 8;
  if (n === 8) return false;
  // Move the groups after the gap to the end.
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

/**
 * Writes `text` (dotted IPv4 or IPv6 text) as four big-endian words into `out[at..at+3]`.
 * @returns true when `text` is an address; false (and four zero words) when it is not
 */
export function packAddress(text: string, out: Uint32Array, at: number): boolean {
  const v4 = text.length <= 15 ? ipv4At(text, 0) : -1;
  if (v4 >= 0) {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0xffff;
    out[at + 3] = v4;
    return true;
  }
  if (parseV6(text)) {
    out[at] = ((groups[0]! << 16) | groups[1]!) >>> 0;
    out[at + 1] = ((groups[2]! << 16) | groups[3]!) >>> 0;
    out[at + 2] = ((groups[4]! << 16) | groups[5]!) >>> 0;
    out[at + 3] = ((groups[6]! << 16) | groups[7]!) >>> 0;
    return true;
  }
  out[at] = 0;
  out[at + 1] = 0;
  out[at + 2] = 0;
  out[at + 3] = 0;
  return false;
}

/** True when the four words are an IPv4-mapped address. */
export function isV4Mapped(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === 0xffff;
}

/**
 * Canonical text of four address words: dotted IPv4 for IPv4-mapped addresses, RFC 5952 IPv6
 * otherwise (through ipaddr.js).
 */
export function formatAddress(w0: number, w1: number, w2: number, w3: number): string {
  if (isV4Mapped(w0, w1, w2)) return `${w3 >>> 24}.${(w3 >>> 16) & 255}.${(w3 >>> 8) & 255}.${w3 & 255}`;
  const bytes: number[] = [];
  for (const w of [w0, w1, w2, w3]) bytes.push(w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  return ipaddr.fromByteArray(bytes).toString();
}

/** The 16 bytes of four address words (big-endian). */
export function addressBytes(w0: number, w1: number, w2: number, w3: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, w0);
  v.setUint32(4, w1);
  v.setUint32(8, w2);
  v.setUint32(12, w3);
  return b;
}
