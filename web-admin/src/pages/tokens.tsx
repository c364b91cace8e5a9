/**
 * Tokens: who can do what through the admin API. Lists the API tokens (role, bounds, state,
 * expiry, last use; never a secret), creates one bound to a role and optionally to regions and
 * route prefixes, rotates and revokes; a new or rotated secret is shown once, here. The roles
 * (built-in and custom) are listed with their permissions. Needs `tokens:read` (admin by
 * default); any other token sees what its own role allows.
 */
import { type FormEvent, useState } from "react";
import type { ApiError } from "../api/client.ts";
import type { ApiToken, NewTokenBody } from "../api/types.ts";
import { useConfirm } from "../components/confirm.tsx";
import {
  Field,
  FormErrors,
  ListInput,
  NumberInput,
  type PlacedError,
  Select,
  TextInput,
} from "../components/form-kit.tsx";
import { useToast } from "../components/toast.tsx";
import { Empty, ErrorAlert, Loading, PageHead, Status, type Tone } from "../components/ui.tsx";
import { useApi } from "../lib/auth.tsx";
import { ago, stamp } from "../lib/format.ts";
import { usePoll } from "../lib/poll.ts";

const STATE_TONE: Record<string, Tone> = { active: "ok", expired: "warn", revoked: "idle" };

interface Draft {
  name: string;
  role: string;
  regions: string[];
  route_prefixes: string[];
  /** Hours; a string while it is not a number (the API names the field then). */
  ttl_h: number | string | undefined;
}

const EMPTY: Draft = { name: "", role: "viewer", regions: [], route_prefixes: [], ttl_h: 720 };

/** The create-token form as data → the `POST /v1/tokens` body. */
function bodyOf(d: Draft): NewTokenBody {
  return {
    name: d.name.trim(),
    role: d.role,
    ...(d.regions.length ? { regions: d.regions } : {}),
    ...(d.route_prefixes.length ? { route_prefixes: d.route_prefixes } : {}),
    ...(d.ttl_h !== undefined
      ? { ttl_s: typeof d.ttl_h === "number" ? Math.round(d.ttl_h * 3600) : (d.ttl_h as unknown as number) }
      : {}),
  };
}

export function TokensPage() {
  const api = useApi();
  const notify = useToast();
  const confirm = useConfirm();
  const self = usePoll("tokens-self", (s) => api.self(s), 30_000);
  const tokens = usePoll("tokens", (s) => api.tokens(s), 5000);
  const roles = usePoll("roles", (s) => api.roles(s), 30_000);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [placed, setPlaced] = useState<PlacedError | null>(null);
  const [secret, setSecret] = useState<ApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  // The list inputs keep their own text: a new key empties the form after a create.
  const [formKey, setFormKey] = useState(0);

  if (tokens.loading && !tokens.data && !tokens.error) return <Loading what="tokens" />;
  const denied = (tokens.error as ApiError | undefined)?.status === 403;

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setPlaced(null);
    try {
      const t = await api.createToken(bodyOf(draft));
      setSecret(t);
      setDraft(EMPTY);
      setFormKey((k) => k + 1);
      tokens.refresh();
      notify(`Token ${t.name} created`);
    } catch (err) {
      const ae = err as ApiError;
      setPlaced({ field: ae.field ?? null, message: ae.message });
    } finally {
      setBusy(false);
    }
  }

  async function rotate(t: ApiToken) {
    const ok = await confirm({
      title: `Rotate token ${t.name}?`,
      body: "It gets a new secret, shown once; the current secret stops working at once.",
      confirm: "Rotate",
      danger: true,
    });
    if (!ok) return;
    try {
      setSecret(await api.rotateToken(t.id));
      tokens.refresh();
    } catch (err) {
      notify((err as ApiError).message, "bad");
    }
  }

  async function revoke(t: ApiToken) {
    const ok = await confirm({
      title: `Revoke token ${t.name}?`,
      body: "Every request with it is refused from now on (401 TOKEN_REVOKED). It stays listed.",
      confirm: "Revoke",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.revokeToken(t.id);
      tokens.refresh();
      notify(`Token ${t.name} revoked`);
    } catch (err) {
      notify((err as ApiError).message, "bad");
    }
  }

  const me = self.data;
  return (
    <>
      <PageHead
        title="Tokens"
        sub={
          me
            ? `signed in as ${me.name} (${me.role}${me.expires_at ? `, until ${stamp(me.expires_at)}` : ""})`
            : undefined
        }
      />
      {denied ? (
        <section className="panel">
          <Empty title="Your role cannot list tokens">
            Tokens need the <code>tokens:read</code> permission (the admin role). Your role: <b>{me?.role ?? "?"}</b> —{" "}
            {(me?.permissions ?? []).join(", ")}.
          </Empty>
        </section>
      ) : (
        <>
          <ErrorAlert error={tokens.error} title="Tokens" />
          {secret ? (
            <section className="panel" aria-label="New secret" data-testid="token-secret">
              <div className="panel-head">
                <h2>Secret of {secret.name}</h2>
                <button type="button" className="btn small" onClick={() => setSecret(null)}>
                  Done
                </button>
              </div>
              <div className="panel-body">
                <p className="muted">Shown once: copy it now. Only its hash is stored.</p>
                <code className="mono secret">{secret.token}</code>
              </div>
            </section>
          ) : null}
          <section className="panel">
            <div className="panel-head">
              <h2>API tokens</h2>
            </div>
            <TokenTable items={tokens.data ?? []} onRotate={rotate} onRevoke={revoke} />
          </section>
          <section className="panel">
            <div className="panel-head">
              <h2>New token</h2>
            </div>
            <FormErrors value={placed}>
              <form key={formKey} className="fields" onSubmit={create} aria-label="New token">
                <Field label="Name" field="name" required>
                  <TextInput
                    field="name"
                    value={draft.name}
                    onChange={(name) => setDraft({ ...draft, name })}
                    placeholder="ci-deploy"
                  />
                </Field>
                <Field label="Role" field="role" required hint="What the token may do: see the roles below.">
                  <Select
                    field="role"
                    value={draft.role}
                    options={(roles.data ?? []).map((r) => [r.name, r.name])}
                    onChange={(role) => setDraft({ ...draft, role })}
                  />
                </Field>
                <Field
                  label="Regions"
                  field="regions"
                  hint="Node and rollout operations only there; empty: every region."
                >
                  <ListInput
                    field="regions"
                    value={draft.regions}
                    onChange={(regions) => setDraft({ ...draft, regions: regions ?? [] })}
                  />
                </Field>
                <Field
                  label="Route prefixes"
                  field="route_prefixes"
                  hint="Route edits only under these paths; empty: every route."
                >
                  <ListInput
                    field="route_prefixes"
                    value={draft.route_prefixes}
                    onChange={(route_prefixes) => setDraft({ ...draft, route_prefixes: route_prefixes ?? [] })}
                  />
                </Field>
                <Field label="Lifetime (hours)" field="ttl_s" hint="Empty: never expires.">
                  <NumberInput field="ttl_s" value={draft.ttl_h} onChange={(ttl_h) => setDraft({ ...draft, ttl_h })} />
                </Field>
                <div />
                <div>
                  <button type="submit" className="btn primary" disabled={busy}>
                    Create token
                  </button>
                </div>
              </form>
            </FormErrors>
          </section>
        </>
      )}
      <section className="panel">
        <div className="panel-head">
          <h2>Roles</h2>
        </div>
        <div className="table-wrap">
          <table className="grid" aria-label="Roles">
            <thead>
              <tr>
                <th>Role</th>
                <th>Permissions</th>
              </tr>
            </thead>
            <tbody>
              {(roles.data ?? []).map((r) => (
                <tr key={r.name}>
                  <td className="nowrap">
                    <b>{r.name}</b> {r.builtin ? <span className="muted">built-in</span> : null}
                  </td>
                  <td className="mono small">{r.permissions.join(" ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function TokenTable({
  items,
  onRotate,
  onRevoke,
}: {
  items: ApiToken[];
  onRotate: (t: ApiToken) => void;
  onRevoke: (t: ApiToken) => void;
}) {
  if (items.length === 0) return <Empty title="No token yet" />;
  return (
    <div className="table-wrap">
      <table className="grid" aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>State</th>
            <th>Bound to</th>
            <th>Expires</th>
            <th>Last used</th>
            <th>Fingerprint</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.id} data-token={t.name}>
              <td>
                {t.name} <span className="muted">#{t.id}</span>
              </td>
              <td>{t.role}</td>
              <td>
                <Status tone={STATE_TONE[t.state] ?? "idle"}>{t.state}</Status>
              </td>
              <td className="muted">
                {[...t.regions.map((r) => `region ${r}`), ...t.route_prefixes.map((p) => `routes ${p}`)].join(", ") ||
                  "—"}
              </td>
              <td className="nowrap muted" title={t.expires_at ? stamp(t.expires_at) : undefined}>
                {t.expires_at ? stamp(t.expires_at) : "never"}
              </td>
              <td className="nowrap muted">{t.last_used_at ? ago(t.last_used_at) : "—"}</td>
              <td className="mono muted">{t.fingerprint}</td>
              <td className="nowrap">
                {t.state === "active" ? (
                  <>
                    <button type="button" className="btn small" onClick={() => onRotate(t)}>
                      Rotate
                    </button>{" "}
                    <button type="button" className="btn small danger" onClick={() => onRevoke(t)}>
                      Revoke
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
