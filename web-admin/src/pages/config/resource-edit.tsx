/**
 * Create or edit one config resource: the kind's form (or its JSON), sent as
 * is to the API; the API's validation error is shown beside the field it names
 * (focus moves there), or above the form when no rendered field matches.
 * Saving changes the draft; the banner then offers to publish.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { ApiError } from "../../api/client.ts";
import type {
  BodyOf,
  CertificateBody,
  ConsumerBody,
  PolicyBody,
  ResourceKind,
  ResourceOf,
  RouteBody,
  UpstreamBody,
} from "../../api/types.ts";
import { useConfirm } from "../../components/confirm.tsx";
import { FormErrors, focusField, type PlacedError } from "../../components/form-kit.tsx";
import { useToast } from "../../components/toast.tsx";
import { Empty, ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { placeError } from "../../lib/field-errors.ts";
import { stamp } from "../../lib/format.ts";
import { usePoll } from "../../lib/poll.ts";
import { Link, navigate } from "../../lib/router.tsx";
import { CertificateForm, certificateFields, emptyCertificate } from "./certificate-form.tsx";
import { ConfigFrame } from "./config-nav.tsx";
import { ConsumerForm, CredentialsPanel, consumerFields, emptyConsumer } from "./consumer-form.tsx";
import { KINDS } from "./kinds.ts";
import { emptyPolicy, PolicyForm, policyFields, policyLocalCheck } from "./policy-form.tsx";
import { emptyRoute, RouteForm, routeFields } from "./route-form.tsx";
import { emptyUpstream, UpstreamForm, upstreamFields } from "./upstream-form.tsx";

type Body = BodyOf[ResourceKind];

/** Fields the API computes; never sent back. */
const READ_ONLY = new Set([
  "id",
  "created_at",
  "updated_at",
  "not_before",
  "not_after",
  "fingerprint_sha256",
  "subject",
  "issuer",
]);

/** What the API answers in place of a secret (a certificate's `key_pem`); never sent back. */
const REDACTED = "[redacted]";

function toBody(r: ResourceOf[ResourceKind]): Body {
  return Object.fromEntries(
    Object.entries(r).filter(([k, v]) => !READ_ONLY.has(k) && v !== REDACTED),
  ) as unknown as Body;
}

function empty(kind: ResourceKind): Body {
  switch (kind) {
    case "routes":
      return emptyRoute();
    case "upstreams":
      return emptyUpstream();
    case "policies":
      return emptyPolicy();
    case "consumers":
      return emptyConsumer();
    case "certificates":
      return emptyCertificate();
  }
}

function fieldsOf(kind: ResourceKind, b: Body): string[] {
  switch (kind) {
    case "routes":
      return routeFields(b as RouteBody);
    case "upstreams":
      return upstreamFields(b as UpstreamBody);
    case "policies":
      return policyFields(b as PolicyBody);
    case "consumers":
      return consumerFields(b as ConsumerBody);
    case "certificates":
      return certificateFields(b as CertificateBody);
  }
}

export function ResourceEditPage({ kind, id }: { kind: ResourceKind; id?: string }) {
  const api = useApi();
  const toast = useToast();
  const confirm = useConfirm();
  const meta = KINDS[kind];
  const creating = id === undefined;
  const existing = usePoll(`edit:${kind}:${id ?? ""}`, (s) => (id ? api.get(kind, id, s) : Promise.resolve(null)), 0);
  const refs = kind === "routes";
  const upstreams = usePoll(
    `form:upstreams:${refs}`,
    (s) => (refs ? api.list("upstreams", s) : Promise.resolve([])),
    0,
  );
  const policies = usePoll(`form:policies:${refs}`, (s) => (refs ? api.list("policies", s) : Promise.resolve([])), 0);

  const [body, setBody] = useState<Body | null>(creating ? empty(kind) : null);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [json, setJson] = useState("");
  const [placed, setPlaced] = useState<PlacedError | null>(null);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!creating && existing.data && body === null) setBody(toBody(existing.data));
  }, [creating, existing.data, body]);

  useEffect(() => {
    if (placed?.field) focusField(placed.field);
  }, [placed]);

  if (!creating && existing.loading) return <Loading what={`${meta.noun} ${id}`} />;
  if (!creating && !existing.data)
    return (
      <ConfigFrame>
        <PageHead title={`${meta.noun[0]!.toUpperCase()}${meta.noun.slice(1)} ${id}`} />
        {existing.error?.status === 404 ? (
          <div className="panel">
            <Empty title={`No ${meta.noun} ${id}`}>
              <Link to={`/config/${kind}`}>All {meta.title.toLowerCase()}</Link>
            </Empty>
          </div>
        ) : (
          <ErrorAlert error={existing.error} />
        )}
      </ConfigFrame>
    );
  if (!body) return <Loading what={meta.noun} />;

  const switchMode = (m: "form" | "json") => {
    if (m === mode) return;
    if (m === "json") {
      setJson(JSON.stringify(body, null, 2));
      setMode("json");
      setPlaced(null);
      return;
    }
    try {
      setBody(JSON.parse(json) as Body);
      setMode("form");
      setPlaced(null);
    } catch (err) {
      setPlaced({ field: null, message: `The JSON does not parse: ${(err as Error).message}` });
    }
  };

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    let toSend: Body;
    if (mode === "json") {
      try {
        toSend = JSON.parse(json) as Body;
      } catch (err) {
        setPlaced({ field: null, message: `The JSON does not parse: ${(err as Error).message}` });
        return;
      }
    } else toSend = body!;
    if (kind === "policies") {
      const local = policyLocalCheck(toSend as PolicyBody);
      if (local) {
        setPlaced(local);
        return;
      }
    }
    setBusy(true);
    setPlaced(null);
    setApiError(null);
    try {
      const saved = creating ? await api.create(kind, toSend) : await api.update(kind, id!, toSend);
      toast(`Saved ${meta.noun} ${saved.name}. The draft changed: publish to apply it to the fleet.`);
      navigate(`/config/${kind}?highlight=${encodeURIComponent(saved.name)}`);
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError(0, "CLIENT", (err as Error).message);
      const at = mode === "form" ? placeError(ae.field, fieldsOf(kind, toSend)) : null;
      setPlaced({ field: at, message: ae.message });
      if (!at) setApiError(ae);
      setBusy(false);
    }
  }

  async function remove() {
    const name = (body as { name: string }).name;
    const ok = await confirm({
      title: `Delete ${meta.noun} ${name}?`,
      body: <p>The draft loses it at once; nodes keep it until the next version is published.</p>,
      confirm: `Delete ${meta.noun}`,
      danger: true,
    });
    if (!ok) return;
    try {
      await api.remove(kind, id!);
      toast(`Deleted ${meta.noun} ${name}. Publish to apply it to the fleet.`);
      navigate(`/config/${kind}`);
    } catch (err) {
      setApiError(err as ApiError);
      setPlaced({ field: null, message: (err as Error).message });
    }
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    }
  };

  const title = creating ? `New ${meta.noun}` : `${meta.noun[0]!.toUpperCase()}${meta.noun.slice(1)} ${id}`;
  const set = (b: Body) => setBody(b);
  return (
    <ConfigFrame>
      <PageHead title={title} sub={existing.data ? `updated ${stamp(existing.data.updated_at)}` : undefined}>
        <fieldset className="seg" aria-label="Editor">
          <button type="button" className="btn small" aria-pressed={mode === "form"} onClick={() => switchMode("form")}>
            Form
          </button>{" "}
          <button type="button" className="btn small" aria-pressed={mode === "json"} onClick={() => switchMode("json")}>
            JSON
          </button>
        </fieldset>
        {!creating ? (
          <Link to={`/audit?resource=${encodeURIComponent(existing.data!.id)}`} className="btn small">
            History
          </Link>
        ) : null}
      </PageHead>
      {placed && !placed.field ? (
        <ErrorAlert
          error={apiError ?? new Error(placed.message)}
          title={apiError?.field ? `Field ${apiError.field}` : "Not saved"}
        />
      ) : placed?.field ? (
        <div className="alert bad" role="alert">
          <div className="grow">Not saved: fix the field marked below.</div>
        </div>
      ) : null}
      <form className="form" onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label={title}>
        <FormErrors value={placed}>
          {mode === "json" ? (
            <section className="form-section">
              <h2>JSON body</h2>
              <div className="panel-body">
                <textarea
                  className="input wide"
                  aria-label={`${meta.noun} as JSON`}
                  rows={22}
                  spellCheck={false}
                  value={json}
                  onChange={(e) => setJson(e.target.value)}
                />
                <span className="hint">
                  Sent as is to <code>{creating ? `POST /v1/${kind}` : `PUT /v1/${kind}/${id}`}</code>. Ctrl+Enter
                  saves.
                </span>
              </div>
            </section>
          ) : kind === "routes" ? (
            <RouteForm
              value={body as RouteBody}
              onChange={set}
              upstreams={upstreams.data ?? []}
              policies={policies.data ?? []}
            />
          ) : kind === "upstreams" ? (
            <UpstreamForm value={body as UpstreamBody} onChange={set} />
          ) : kind === "policies" ? (
            <PolicyForm value={body as PolicyBody} onChange={set} creating={creating} />
          ) : kind === "consumers" ? (
            <ConsumerForm value={body as ConsumerBody} onChange={set} />
          ) : (
            <CertificateForm value={body as CertificateBody} onChange={set} creating={creating} />
          )}
        </FormErrors>
        <div className="form-actions">
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? "Saving…" : creating ? `Create ${meta.noun}` : "Save changes"}
          </button>
          <Link to={`/config/${kind}`} className="btn">
            Cancel
          </Link>
          <span className="grow" />
          {!creating ? (
            <button type="button" className="btn danger" onClick={remove}>
              Delete {meta.noun}
            </button>
          ) : null}
        </div>
      </form>
      {kind === "consumers" && !creating && existing.data ? <CredentialsPanel consumer={existing.data.id} /> : null}
    </ConfigFrame>
  );
}
