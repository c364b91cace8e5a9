import { create } from "@bufbuild/protobuf";
import { type Consumer, ConsumerSchema, type Credential, CredentialSchema } from "@palisade/proto";
import type { StoredCredential, StoredResource } from "../../store/store.js";

const CERT_CASES = {
  subject_dn: "subjectDn",
  san_dns: "sanDns",
  san_uri: "sanUri",
  san_email: "sanEmail",
  fingerprint_sha256: "fingerprintSha256",
} as const;

/** The proto `Credential` of a stored credential (an API key as its SHA-256 bytes). */
function toCredential(c: StoredCredential): Credential {
  const b = c.body as Record<string, string>;
  if (c.type === "api-key") {
    return create(CredentialSchema, {
      id: c.id,
      kind: { case: "apiKey", value: { sha256: Buffer.from(b.sha256!, "hex"), prefix: b.key_prefix ?? "" } },
    });
  }
  if (c.type === "jwt") {
    return create(CredentialSchema, {
      id: c.id,
      kind: {
        case: "jwt",
        value: { issuer: b.issuer!, subject: b.subject ?? "", claim: b.claim ?? "", value: b.value ?? "" },
      },
    });
  }
  const [field, value] = Object.entries(b)[0]!;
  return create(CredentialSchema, {
    id: c.id,
    kind: {
      case: "clientCert",
      value: { match: { case: CERT_CASES[field as keyof typeof CERT_CASES], value } },
    },
  });
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The consumer message of a stored consumer with its credentials (any order; sorted by id here). */
export function toConsumer(r: StoredResource, credentials: readonly StoredCredential[] = []): Consumer {
  return create(ConsumerSchema, {
    id: r.id,
    name: r.name,
    disabled: (r.body.disabled as boolean) ?? false,
    labels: (r.body.labels as Record<string, string>) ?? {},
    credentials: [...credentials].sort(byId).map(toCredential),
  });
}
