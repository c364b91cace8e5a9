import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { DomainError } from "../../../errors.js";
import { checkHeaderNotReserved } from "../identity.js";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks an `mtls` policy config: `ca_pem` holds at least one parseable CA certificate
 * (basicConstraints CA:TRUE) and loads as a trust store, `crl_pem` loads as CRLs, and the fact
 * headers are not headers the gateway owns.
 */
export function checkMtlsConfig(config: {
  ca_pem: string;
  crl_pem?: string;
  subject_header?: string;
  san_header?: string;
  fingerprint_header?: string;
}): void {
  const pems = config.ca_pem.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new DomainError("VALIDATION_FAILED", "no PEM certificate", "config.ca_pem");
  pems.forEach((pem) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new DomainError("VALIDATION_FAILED", "a certificate does not parse", "config.ca_pem");
    }
    if (!cert.ca)
      throw new DomainError("VALIDATION_FAILED", `${cert.subject.split("\n").join(",")} is not a CA`, "config.ca_pem");
  });
  try {
    createSecureContext({ ca: config.ca_pem });
  } catch {
    throw new DomainError("VALIDATION_FAILED", "not usable as a CA bundle", "config.ca_pem");
  }
  if (config.crl_pem !== undefined) {
    try {
      createSecureContext({ ca: config.ca_pem, crl: config.crl_pem });
    } catch {
      throw new DomainError("VALIDATION_FAILED", "not a PEM CRL", "config.crl_pem");
    }
  }
  for (const f of ["subject_header", "san_header", "fingerprint_header"] as const) {
    const h = config[f];
    if (h !== undefined) checkHeaderNotReserved(h, `config.${f}`);
  }
}
