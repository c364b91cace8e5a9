import { createPrivateKey, X509Certificate } from "node:crypto";
import { DomainError } from "../../errors.js";
import type { Store, StoredResource } from "../../store/store.js";
import { REDACTED } from "../redact.js";

/** A certificate body as stored (after schema validation). */
export interface CertificateBody {
  snis: string[];
  cert_pem: string;
  key_pem: string;
}

// A lower-case DNS name (RFC 1123 §2.1), or "*." and a name of at least two labels (RFC 6125
// §6.4.3: the wildcard is the whole left-most label). The data plane applies the same rule.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const SNI_NAME = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\*\\.${LABEL}(?:\\.${LABEL})+)$`);

const fail = (message: string, field: string) => new DomainError("VALIDATION_FAILED", message, field);

/**
 * Checks a certificate before it is stored: the chain and the key parse (an encrypted key is
 * refused: nodes have no passphrase), the key belongs to the leaf, the leaf has not expired,
 * every SNI name is a lower-case DNS name or one-label wildcard that the leaf covers, and no
 * name is already served by another certificate. Messages name the field and never quote PEM.
 * @param selfId the certificate's own id on an update (its names are not a conflict)
 * @throws DomainError VALIDATION_FAILED naming the field (`key_pem`, `snis.1`, …)
 */
export async function checkCertificate(
  body: CertificateBody,
  store: Store,
  selfId?: string,
  now = Date.now(),
): Promise<void> {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(body.cert_pem);
  } catch {
    throw fail("cert_pem is not a PEM certificate", "cert_pem");
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(body.key_pem);
  } catch {
    throw fail("key_pem is not an unencrypted PEM private key", "key_pem");
  }
  if (!leaf.checkPrivateKey(key)) throw fail("key_pem does not belong to the certificate", "key_pem");
  if (Date.parse(leaf.validTo) < now) throw fail(`the certificate expired on ${leaf.validTo}`, "cert_pem");
  const taken = new Map<string, string>();
  for (const other of await store.listResources("certificates")) {
    if (other.id === selfId) continue;
    for (const n of (other.body.snis as string[]) ?? []) taken.set(n, other.name);
  }
  body.snis.forEach((name, i) => {
    const field = `snis.${i}`;
    if (!SNI_NAME.test(name)) throw fail(`"${name}" is not a lower-case DNS name or *.wildcard`, field);
    // A wildcard SNI is covered when any one-label name below it is (a `*.` SAN of the same parent).
    const probe = name.startsWith("*.") ? `palisade-probe${name.slice(1)}` : name;
    if (leaf.checkHost(probe) === undefined) throw fail(`the certificate does not cover "${name}"`, field);
    const owner = taken.get(name);
    if (owner !== undefined) throw fail(`"${name}" is already served by certificate ${owner}`, field);
  });
}

/**
 * The API representation of a stored certificate: the key replaced by `[redacted]`, plus what
 * an operator checks at a glance (subject, issuer, validity, SHA-256 fingerprint).
 */
export function presentCertificate(r: StoredResource): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, name: r.name, ...r.body, key_pem: REDACTED };
  try {
    const leaf = new X509Certificate(r.body.cert_pem as string);
    out.subject = leaf.subject;
    out.issuer = leaf.issuer;
    out.not_before = new Date(leaf.validFrom).toISOString();
    out.not_after = new Date(leaf.validTo).toISOString();
    out.fingerprint_sha256 = leaf.fingerprint256;
  } catch {
    // Stored bodies were checked on write; a parse failure here only hides the details.
  }
  out.created_at = r.created_at;
  out.updated_at = r.updated_at;
  return out;
}
