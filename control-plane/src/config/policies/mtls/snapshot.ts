import { toUnsafeIdentity } from "../identity.js";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

/** The proto `MtlsPolicy` of a stored `mtls` config. */
export function toMtlsPolicy(c: PolicyJson): PolicyConfigInit {
  return {
    case: "mtls",
    value: {
      caPem: c.ca_pem as string,
      crlPem: (c.crl_pem as string) ?? "",
      allowedSubjects: (c.allowed_subjects as string[]) ?? [],
      subjectHeader: (c.subject_header as string) ?? "",
      sanHeader: (c.san_header as string) ?? "",
      fingerprintHeader: (c.fingerprint_header as string) ?? "",
      requireConsumer: (c.require_consumer as boolean) ?? false,
      unsafeIdentity: toUnsafeIdentity(c.unsafe_identity),
    },
  };
}
