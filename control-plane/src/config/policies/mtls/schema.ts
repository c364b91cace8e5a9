import { headerName } from "../../schema-fields.js";
import { unsafeIdentity } from "../identity.js";

const pemText = { type: "string", minLength: 1, maxLength: 1_048_576 } as const;

/** Config of an `mtls` policy: the client CA bundle, CRLs, allowed subjects, fact headers. */
export const mtlsConfigSchema = {
  type: "object",
  required: ["ca_pem"],
  additionalProperties: false,
  properties: {
    ca_pem: pemText,
    crl_pem: pemText,
    allowed_subjects: { type: "array", maxItems: 100, items: { type: "string", minLength: 1, maxLength: 2048 } },
    subject_header: headerName,
    san_header: headerName,
    fingerprint_header: headerName,
    require_consumer: { type: "boolean" },
    unsafe_identity: unsafeIdentity,
  },
} as const;
