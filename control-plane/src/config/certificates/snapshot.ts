import { create } from "@bufbuild/protobuf";
import { type Certificate, CertificateSchema } from "@palisade/proto";
import type { StoredResource } from "../../store/store.js";

/** The certificate message of a stored certificate (the key travels to the nodes as given). */
export function toCertificate(r: StoredResource): Certificate {
  const b = r.body as { snis: string[]; cert_pem: string; key_pem: string };
  return create(CertificateSchema, { id: r.id, name: r.name, snis: b.snis, certPem: b.cert_pem, keyPem: b.key_pem });
}
