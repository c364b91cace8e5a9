/** The policy form: a dedicated editor for `jwt`, a JSON editor for the config of any other type. */
import { useState } from "react";
import type { PolicyBody } from "../../api/types.ts";
import type { PlacedError } from "../../components/form-kit.tsx";
import { Check, CodeArea, Field, ListInput, NumberInput, Select, TextInput } from "../../components/form-kit.tsx";
import { useApi } from "../../lib/auth.tsx";
import { usePoll } from "../../lib/poll.ts";
import { emptyWafConfig, type WafConfig, wafFields } from "../../lib/waf-form.ts";
import { JWT_ALGORITHMS, POLICY_TYPES } from "./kinds.ts";
import { WafFields } from "./waf-form.tsx";

export function policyFields(b: PolicyBody): string[] {
  if (b.type === "waf") return ["name", "type", "config", ...wafFields(b.config as WafConfig)];
  return [
    "name",
    "type",
    "config",
    "config.jwks_url",
    "config.jwks",
    "config.algorithms",
    "config.issuers",
    "config.audiences",
    "config.leeway_s",
    "config.claims_to_headers",
    "config.unsafe_identity",
    "config.forward_token",
  ];
}

export function emptyPolicy(): PolicyBody {
  return { name: "", type: "jwt", config: { algorithms: ["RS256"], jwks_url: "" } };
}

/** A JSON text box whose value is the parsed JSON, or the raw text while it does not parse. */
function JsonArea({
  field,
  value,
  onChange,
  rows,
  placeholder,
}: {
  field: string;
  value: unknown;
  onChange: (v: unknown) => void;
  rows?: number;
  placeholder?: string;
}) {
  const [text, setText] = useState(() =>
    typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value, null, 2),
  );
  return (
    <CodeArea
      field={field}
      value={text}
      rows={rows ?? 8}
      {...(placeholder ? { placeholder } : {})}
      onChange={(t) => {
        setText(t);
        if (t.trim() === "") return onChange(undefined);
        try {
          onChange(JSON.parse(t));
        } catch {
          onChange(t);
        }
      }}
    />
  );
}

/** Checks the browser can make before sending: JSON boxes must parse. */
export function policyLocalCheck(b: PolicyBody): PlacedError | null {
  if (typeof b.config === "string") return { field: "config", message: "The config is not valid JSON." };
  if (b.type === "jwt" && typeof b.config.jwks === "string")
    return { field: "config.jwks", message: "The JWKS is not valid JSON." };
  return null;
}

function ClaimRows({
  value,
  onChange,
}: {
  value: Record<string, string> | undefined;
  onChange: (v: Record<string, string> | undefined) => void;
}) {
  const [rows, setRows] = useState<Array<[string, string]>>(() => Object.entries(value ?? {}));
  const commit = (next: Array<[string, string]>) => {
    setRows(next);
    const o = Object.fromEntries(next.filter(([k]) => k.trim() !== ""));
    onChange(Object.keys(o).length ? o : undefined);
  };
  return (
    <div className="row-editor">
      {rows.map(([claim, header], i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
        <div className="row" key={i}>
          <input
            className="input mono"
            aria-label={`Claim ${i + 1}`}
            placeholder="claim (sub)"
            value={claim}
            onChange={(e) => commit(rows.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))}
          />
          <span className="faint">→</span>
          <input
            className="input mono"
            aria-label={`Header ${i + 1}`}
            placeholder="header (X-User)"
            value={header}
            onChange={(e) => commit(rows.map((r, j) => (j === i ? [r[0], e.target.value] : r)))}
          />
          <button
            type="button"
            className="btn small ghost danger-text"
            aria-label={`Remove claim ${i + 1}`}
            onClick={() => commit(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="btn small" onClick={() => setRows([...rows, ["", ""]])}>
          Add claim header
        </button>
      </div>
    </div>
  );
}

function JwtFields({
  config,
  onChange,
}: {
  config: Record<string, unknown>;
  onChange: (c: Record<string, unknown>) => void;
}) {
  const [source, setSource] = useState<"url" | "inline">(config.jwks !== undefined ? "inline" : "url");
  const set = (k: string, v: unknown) => {
    const next = { ...config };
    if (v === undefined) delete next[k];
    else next[k] = v;
    onChange(next);
  };
  const algs = (config.algorithms as string[] | undefined) ?? [];
  return (
    <div className="fields">
      <span className="label">Keys</span>
      <div role="radiogroup" aria-label="Where the keys come from">
        <label className="check">
          <input
            type="radio"
            name="jwt-source"
            checked={source === "url"}
            onChange={() => {
              setSource("url");
              const { jwks: _j, ...rest } = config;
              onChange({ ...rest, jwks_url: (config.jwks_url as string) ?? "" });
            }}
          />
          JWKS URL
        </label>
        <label className="check">
          <input
            type="radio"
            name="jwt-source"
            checked={source === "inline"}
            onChange={() => {
              setSource("inline");
              const { jwks_url: _u, ...rest } = config;
              onChange(rest);
            }}
          />
          Inline JWKS
        </label>
      </div>
      {source === "url" ? (
        <Field label="JWKS URL" field="config.jwks_url" hint="The identity provider's key set, fetched by every node.">
          <TextInput
            field="config.jwks_url"
            mono
            value={(config.jwks_url as string) ?? ""}
            onChange={(v) => set("jwks_url", v)}
            placeholder="https://idp.example.com/.well-known/jwks.json"
          />
        </Field>
      ) : (
        <Field
          label="JWKS"
          field="config.jwks"
          hint="Public keys only. HMAC secrets are never shown again: paste the key set anew to change it."
        >
          <JsonArea
            field="config.jwks"
            value={config.jwks}
            onChange={(v) => set("jwks", v)}
            placeholder='{"keys": [...]}'
          />
        </Field>
      )}
      <Field
        label="Algorithms"
        field="config.algorithms"
        required
        asGroup
        hint="Only these are accepted; never 'none'."
      >
        {JWT_ALGORITHMS.map((a) => (
          <Check
            key={a}
            field={`alg-${a}`}
            label={a}
            checked={algs.includes(a)}
            onChange={(on) =>
              set(
                "algorithms",
                on ? JWT_ALGORITHMS.filter((x) => x === a || algs.includes(x)) : algs.filter((x) => x !== a),
              )
            }
          />
        ))}
      </Field>
      <Field label="Issuers" field="config.issuers" hint="Accepted 'iss' values, comma-separated. Empty: any.">
        <ListInput
          field="config.issuers"
          value={config.issuers as string[] | undefined}
          onChange={(v) => set("issuers", v)}
          placeholder="https://idp.example.com"
        />
      </Field>
      <Field label="Audiences" field="config.audiences" hint="Accepted 'aud' values, comma-separated. Empty: any.">
        <ListInput
          field="config.audiences"
          value={config.audiences as string[] | undefined}
          onChange={(v) => set("audiences", v)}
          placeholder="orders-api"
        />
      </Field>
      <Field label="Leeway (s)" field="config.leeway_s" hint="Clock skew allowed on exp/nbf/iat: 0–300, default 60.">
        <NumberInput
          field="config.leeway_s"
          value={config.leeway_s}
          placeholder="60"
          onChange={(v) => set("leeway_s", v)}
        />
      </Field>
      <Field
        label="Claims to headers"
        field="config.claims_to_headers"
        asGroup
        hint="Verified claims forwarded upstream; overwrite what the client sent."
      >
        <ClaimRows
          value={config.claims_to_headers as Record<string, string> | undefined}
          onChange={(v) => set("claims_to_headers", v)}
        />
      </Field>
      <Field
        label="Unsafe claim"
        field="config.unsafe_identity"
        hint="A mapped claim no header can carry unchanged (CR, LF, control characters, edge spaces)."
      >
        <Select
          field="config.unsafe_identity"
          value={(config.unsafe_identity as string | undefined) ?? "refuse"}
          options={[
            ["refuse", "Refuse the request (401)"],
            ["drop_header", "Forward it without that header"],
          ]}
          onChange={(v) => set("unsafe_identity", v === "refuse" ? undefined : v)}
        />
      </Field>
      <Field label="Forward token" field="config.forward_token" asGroup>
        <Check
          field="config.forward_token"
          label="Send the raw token to the upstream"
          checked={!!config.forward_token}
          onChange={(v) => set("forward_token", v || undefined)}
        />
      </Field>
    </div>
  );
}

export function PolicyForm({
  value,
  onChange,
  creating,
}: {
  value: PolicyBody;
  onChange: (b: PolicyBody) => void;
  creating: boolean;
}) {
  const api = useApi();
  const info = usePoll("info", () => api.info(), 0);
  const offered = info.data?.policy_types ?? POLICY_TYPES;
  const types = offered.includes(value.type) ? offered : [value.type, ...offered];
  return (
    <>
      <section className="form-section">
        <h2>Policy</h2>
        <div className="fields">
          <Field label="Name" field="name" required>
            <TextInput
              field="name"
              value={value.name}
              onChange={(name) => onChange({ ...value, name })}
              placeholder="orders-jwt"
            />
          </Field>
          <Field
            label="Type"
            field="type"
            required
            hint={creating ? undefined : "Changing the type replaces the config."}
          >
            <Select
              field="type"
              value={value.type}
              options={types.map((t) => [t, t])}
              onChange={(type) =>
                onChange({
                  ...value,
                  type: type as PolicyBody["type"],
                  config:
                    type === value.type
                      ? value.config
                      : type === "jwt"
                        ? emptyPolicy().config
                        : type === "waf"
                          ? emptyWafConfig()
                          : {},
                })
              }
            />
          </Field>
        </div>
      </section>
      <section className="form-section">
        <h2>
          {value.type === "jwt" ? "JWT verification" : value.type === "waf" ? "Web application firewall" : "Config"}
        </h2>
        {value.type === "jwt" ? (
          <JwtFields key="jwt" config={value.config} onChange={(config) => onChange({ ...value, config })} />
        ) : value.type === "waf" ? (
          <WafFields config={value.config as WafConfig} onChange={(config) => onChange({ ...value, config })} />
        ) : (
          <div className="fields">
            <Field label="Config (JSON)" field="config" required>
              <JsonArea
                key={value.type}
                field="config"
                value={value.config}
                rows={12}
                onChange={(v) => onChange({ ...value, config: (v ?? {}) as Record<string, unknown> })}
              />
            </Field>
          </div>
        )}
      </section>
    </>
  );
}
