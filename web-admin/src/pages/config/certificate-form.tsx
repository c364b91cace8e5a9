/** The certificate form: SNI names, the PEM chain, and the write-only private key. */
import type { CertificateBody } from "../../api/types.ts";
import { CodeArea, Field, ListInput, TextInput } from "../../components/form-kit.tsx";

export function certificateFields(_b: CertificateBody): string[] {
  return ["name", "snis", "cert_pem", "key_pem"];
}

export function emptyCertificate(): CertificateBody {
  return { name: "", snis: [], cert_pem: "" };
}

export function CertificateForm({
  value,
  onChange,
  creating,
}: {
  value: CertificateBody;
  onChange: (b: CertificateBody) => void;
  creating: boolean;
}) {
  const set = (k: string, v: unknown) => {
    const next = { ...value } as Record<string, unknown>;
    if (v === undefined || v === "") delete next[k];
    else next[k] = v;
    onChange(next as CertificateBody);
  };
  return (
    <section className="form-section">
      <h2>Certificate</h2>
      <div className="fields">
        <Field label="Name" field="name" required>
          <TextInput field="name" value={value.name} onChange={(v) => set("name", v)} placeholder="api-example-com" />
        </Field>
        <Field label="SNI names" field="snis" required hint="Server names this certificate serves, comma-separated.">
          <ListInput
            field="snis"
            value={value.snis}
            onChange={(v) => set("snis", v ?? [])}
            placeholder="api.example.com, *.example.org"
          />
        </Field>
        <Field label="Certificate (PEM)" field="cert_pem" required hint="Leaf first, then intermediates.">
          <CodeArea
            field="cert_pem"
            value={value.cert_pem ?? ""}
            rows={8}
            onChange={(v) => set("cert_pem", v)}
            placeholder="-----BEGIN CERTIFICATE-----"
          />
        </Field>
        <Field
          label="Private key (PEM)"
          field="key_pem"
          required
          hint={
            creating
              ? "Never shown again after saving."
              : "Never shown. Paste the key again to save: a change replaces the whole certificate."
          }
        >
          <CodeArea
            field="key_pem"
            value={value.key_pem ?? ""}
            rows={6}
            onChange={(v) => set("key_pem", v)}
            placeholder="-----BEGIN PRIVATE KEY-----"
          />
        </Field>
      </div>
    </section>
  );
}
