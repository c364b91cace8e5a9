import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { DomainError } from "../../errors.js";
import { fail } from "../fail.js";

/**
 * Upstream target hosts: a DNS name (labels of 1-63 characters, none empty) or a valid
 * IPv4/IPv6 address. Something that looks numeric must be a real address (`999.1.1.1` is not).
 */
export function checkUpstreamTargets(targets: Array<{ host: string }>): void {
  targets.forEach((t, i) => {
    const h = t.host;
    const field = `targets.${i}.host`;
    if (h.includes(":")) {
      if (isIP(h) !== 6) throw new DomainError("VALIDATION_FAILED", "not a valid IPv6 address", field);
    } else if (/^[0-9.]+$/.test(h)) {
      if (isIP(h) !== 4) throw new DomainError("VALIDATION_FAILED", "not a valid IPv4 address", field);
    } else if (h.split(".").some((l) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) {
      throw new DomainError("VALIDATION_FAILED", "not a valid host name", field);
    }
  });
}

/**
 * Upstream settings that JSON Schema cannot relate: `tls` needs scheme https and its `ca_pem`
 * must parse; `ring_hash` needs `hash_on`, and `hash_on` is only for `ring_hash`.
 */
export function checkUpstream(body: {
  scheme?: string;
  load_balancing?: string;
  hash_on?: unknown;
  tls?: { ca_pem?: string };
}): void {
  if (body.tls !== undefined && body.scheme !== "https")
    throw new DomainError("VALIDATION_FAILED", 'tls applies to scheme "https" only', "tls");
  if (body.tls?.ca_pem !== undefined) {
    try {
      new X509Certificate(body.tls.ca_pem);
    } catch {
      throw new DomainError("VALIDATION_FAILED", "ca_pem is not a PEM certificate", "tls.ca_pem");
    }
  }
  if (body.load_balancing === "ring_hash" && body.hash_on === undefined)
    throw new DomainError("VALIDATION_FAILED", "ring_hash needs hash_on (header, cookie or client_ip)", "hash_on");
  if (body.hash_on !== undefined && body.load_balancing !== "ring_hash")
    throw new DomainError("VALIDATION_FAILED", 'hash_on is used by load_balancing "ring_hash" only', "hash_on");
}

/**
 * An upstream's `path_prefix` must be canonical, as nodes join it with forwarded paths: no dot or
 * empty segment, no `;`, and no escape a node would decode or refuse.
 */
export function checkPathPrefix(value: string | undefined): void {
  if (value === undefined || value === "/") return;
  if (/(^|\/)\.\.?(\/|$)/.test(value)) fail("must not contain dot segments", "path_prefix");
  if (value.includes("//")) fail("must not contain empty segments", "path_prefix");
  if (value.includes(";")) fail("must not contain ';'", "path_prefix");
  for (const m of value.matchAll(/%(.{0,2})/g)) {
    const hex = m[1] ?? "";
    if (!/^[0-9A-F]{2}$/.test(hex)) fail("escapes must be two upper-case hex digits", "path_prefix");
    const code = Number.parseInt(hex, 16);
    if (
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(code)) ||
      code < 0x20 ||
      code === 0x7f ||
      "/\\;?#%".includes(String.fromCharCode(code))
    )
      fail(`%${hex} must not be escaped here`, "path_prefix");
  }
}
