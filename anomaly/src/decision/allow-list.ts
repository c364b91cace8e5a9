import ipaddr from "ipaddr.js";
import { AnomalyError } from "../errors.js";
import { packAddress } from "../record/address.js";

/**
 * Clients that are never blocked, whatever a detector says: CIDRs (IPv4 or IPv6; IPv4 is
 * matched in its IPv4-mapped form, so `192.0.2.0/24` also covers `::ffff:192.0.2.7`) and
 * consumer ids. Parsed once (ipaddr.js), matched on the record's four address words.
 */
export class AllowList {
  readonly #nets: Array<{ words: Uint32Array; bits: number }> = [];
  readonly #consumers: ReadonlySet<string>;
  readonly #words = new Uint32Array(4);

  /**
   * @throws AnomalyError ENFORCEMENT_INVALID naming `allow.cidrs[i]` for a value that is not a
   *   CIDR or an address
   */
  constructor(cidrs: readonly string[] = [], consumers: readonly string[] = []) {
    cidrs.forEach((c, i) => {
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      let bits: number;
      try {
        if (c.includes("/")) [addr, bits] = ipaddr.parseCIDR(c);
        else {
          addr = ipaddr.parse(c);
          bits = addr.kind() === "ipv4" ? 32 : 128;
        }
      } catch {
        throw new AnomalyError("ENFORCEMENT_INVALID", `allow.cidrs[${i}]`, "not an address or CIDR");
      }
      const words = new Uint32Array(4);
      packAddress(addr.toString(), words, 0);
      this.#nets.push({ words, bits: addr.kind() === "ipv4" ? bits + 96 : bits });
    });
    this.#consumers = new Set(consumers);
  }

  /** True when the four address words fall in an allowed CIDR. */
  hasWords(w: ArrayLike<number>): boolean {
    for (const n of this.#nets) {
      let left = n.bits;
      let ok = true;
      for (let k = 0; k < 4 && left > 0; k++, left -= 32) {
        const mask = left >= 32 ? 0xffffffff : (0xffffffff << (32 - left)) >>> 0;
        if ((w[k]! & mask) >>> 0 !== (n.words[k]! & mask) >>> 0) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }

  /** True when the address text is allowed (false for text that is not an address). */
  hasAddress(text: string): boolean {
    return packAddress(text, this.#words, 0) && this.hasWords(this.#words);
  }

  /** True when the consumer id is allowed. */
  hasConsumer(id: string): boolean {
    return this.#consumers.has(id);
  }
}
