import type { DetailedPeerCertificate, PeerCertificate } from "node:tls";
import type { CertificateFacts } from "../auth/consumers.js";

/**
 * The facts of a client certificate that policies match and forward: the subject DN in RFC 4514
 * form (least significant RDN first, `CN=svc-a,O=Example,C=US`, special characters escaped), the
 * subject alternative names by type, and the SHA-256 fingerprint of the DER certificate (lower-case
 * hex, no separators).
 */

// RFC 4514 §2.4: these characters are escaped with a backslash in an attribute value.
const SPECIAL = /[,+"\\<>;=]/g;

function escapeValue(v: string): string {
  let out = v.replace(SPECIAL, (c) => `\\${c}`);
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ") && !out.endsWith("\\ ")) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * Renders a certificate subject as an RFC 4514 string. node:tls gives the subject as an object in
 * certificate order (most significant first); RFC 4514 §2.1 writes the RDNs in reverse. A
 * multi-valued attribute (an array) becomes several RDNs.
 */
export function subjectDn(subject: Readonly<Record<string, string | string[]>> | undefined): string {
  if (subject === undefined) return "";
  const parts: string[] = [];
  for (const [type, value] of Object.entries(subject)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${type}=${escapeValue(v)}`);
  }
  return parts.reverse().join(",");
}

/**
 * Splits node's `subjectaltname` string (`DNS:a.example, URI:spiffe://x, email:a@b`) into SANs by
 * type. Values holding a comma or quote are dropped rather than guessed at (node quotes values
 * with special or control characters, CVE-2021-44532), and counted in `dropped`: a policy that
 * forwards the SANs refuses such a certificate rather than forward fewer names than it has.
 */
export function parseSubjectAltName(san: string | undefined): {
  dns: string[];
  uri: string[];
  email: string[];
  dropped: number;
} {
  const out = { dns: [] as string[], uri: [] as string[], email: [] as string[], dropped: 0 };
  if (!san) return out;
  for (const part of san.split(", ")) {
    const colon = part.indexOf(":");
    if (colon === -1) {
      out.dropped++;
      continue;
    }
    const type = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (value.includes('"') || value.includes(",")) {
      out.dropped++;
      continue;
    }
    if (type === "DNS") out.dns.push(value);
    else if (type === "URI") out.uri.push(value);
    else if (type === "email") out.email.push(value);
  }
  return out;
}

/** The facts of a peer certificate as node:tls returns it. */
export function certificateFacts(cert: PeerCertificate | DetailedPeerCertificate): CertificateFacts {
  const san = parseSubjectAltName(cert.subjectaltname);
  return {
    subjectDn: subjectDn(cert.subject as unknown as Record<string, string | string[]>),
    sanDns: san.dns,
    sanUri: san.uri,
    sanEmail: san.email,
    sanDropped: san.dropped,
    fingerprintSha256: cert.fingerprint256.replaceAll(":", "").toLowerCase(),
  };
}

/** The SANs as one header value: `DNS:a, URI:b, email:c` (RFC 5280 §4.2.1.6 types). */
export function sanHeaderValue(facts: CertificateFacts): string {
  return [
    ...facts.sanDns.map((v) => `DNS:${v}`),
    ...facts.sanUri.map((v) => `URI:${v}`),
    ...facts.sanEmail.map((v) => `email:${v}`),
  ].join(", ");
}
