/** The consumer form, and a consumer's credentials (API keys shown once, at creation). */
import { useState } from "react";
import { ApiError } from "../../api/client.ts";
import type { ConsumerBody, Credential } from "../../api/types.ts";
import { useConfirm } from "../../components/confirm.tsx";
import { Check, Field, ListInput, TextInput } from "../../components/form-kit.tsx";
import { useToast } from "../../components/toast.tsx";
import { Badge, ErrorAlert } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { ago } from "../../lib/format.ts";
import { usePoll } from "../../lib/poll.ts";

export function consumerFields(_b: ConsumerBody): string[] {
  return ["name", "disabled", "tags"];
}

export function emptyConsumer(): ConsumerBody {
  return { name: "" };
}

export function ConsumerForm({ value, onChange }: { value: ConsumerBody; onChange: (b: ConsumerBody) => void }) {
  const set = (k: string, v: unknown) => {
    const next = { ...value } as Record<string, unknown>;
    if (v === undefined) delete next[k];
    else next[k] = v;
    onChange(next as ConsumerBody);
  };
  return (
    <section className="form-section">
      <h2>Consumer</h2>
      <div className="fields">
        <Field label="Name" field="name" required hint="The identity policies resolve requests to.">
          <TextInput field="name" value={value.name} onChange={(v) => set("name", v)} placeholder="billing-service" />
        </Field>
        <Field
          label="Status"
          field="disabled"
          asGroup
          hint="A disabled consumer's credentials stop working with the next version."
        >
          <Check
            field="disabled"
            label="Disabled"
            checked={!!value.disabled}
            onChange={(v) => set("disabled", v || undefined)}
          />
        </Field>
        <Field label="Tags" field="tags" hint="Comma-separated.">
          <ListInput
            field="tags"
            value={value.tags}
            onChange={(v) => set("tags", v)}
            placeholder="team-billing, internal"
          />
        </Field>
      </div>
    </section>
  );
}

function summary(c: Credential): string {
  const skip = new Set(["id", "type", "created_at", "updated_at", "consumer", "consumer_id", "key"]);
  return Object.entries(c)
    .filter(([k, v]) => !skip.has(k) && v !== null && typeof v !== "object")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" · ");
}

/** Credentials of a saved consumer: list, delete, and a new API key shown once. */
export function CredentialsPanel({ consumer }: { consumer: string }) {
  const api = useApi();
  const confirm = useConfirm();
  const toast = useToast();
  const creds = usePoll(`creds:${consumer}`, (s) => api.credentials(consumer, s), 10_000);
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  if (creds.error instanceof ApiError && creds.error.unavailable) return null;

  async function newKey() {
    setError(null);
    try {
      const c = await api.createCredential(consumer, { type: "api-key" });
      setShown(c.key ?? null);
      creds.refresh();
    } catch (err) {
      setError(err as ApiError);
    }
  }
  async function remove(c: Credential) {
    if (!(await confirm({ title: `Revoke this ${c.type} credential?`, confirm: "Revoke", danger: true }))) return;
    try {
      await api.removeCredential(consumer, c.id);
      toast("Credential revoked. Publish to apply it to the fleet.");
      creds.refresh();
    } catch (err) {
      toast((err as Error).message, "bad");
    }
  }
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Credentials</h2>
        <button type="button" className="btn small" onClick={newKey}>
          New API key
        </button>
      </div>
      <ErrorAlert error={error} />
      {shown ? (
        <div className="alert ok" role="alert">
          <div className="grow">
            <strong>Copy this API key now: it is shown once.</strong> Only its hash is stored.
            <div className="mono" style={{ marginTop: 4, userSelect: "all" }}>
              {shown}
            </div>
          </div>
          <button type="button" className="btn small" onClick={() => setShown(null)}>
            Done
          </button>
        </div>
      ) : null}
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th>Type</th>
              <th>Id</th>
              <th>Details</th>
              <th>Created</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(creds.data ?? []).map((c) => (
              <tr key={c.id}>
                <td>
                  <Badge tone="info">{c.type}</Badge>
                </td>
                <td className="mono faint">{c.id.slice(0, 12)}</td>
                <td className="muted wrap">{summary(c) || "—"}</td>
                <td className="muted nowrap">{ago(c.created_at)}</td>
                <td className="actions">
                  <button type="button" className="btn small ghost danger-text" onClick={() => remove(c)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
            {creds.data?.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No credentials: this consumer cannot authenticate yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
