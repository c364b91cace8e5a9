/**
 * Config / Telemetry: the fleet-wide SIEM sinks (`PUT /v1/telemetry`), published with the next
 * version. The form edits each sink's name, transport and its main fields; the JSON box holds
 * the rest (per-node overrides, secret header and field names, trace sampling and OTLP export
 * with their per-node overrides, TLS, retries, spool). Secrets (TLS keys, webhook and trace
 * export header values) come back `[redacted]` and are kept when saved unchanged.
 * The API's checks are the nodes' own; an error shows beside the field it names.
 */
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.ts";
import type { SiemSinkJson, TelemetryConfig } from "../../api/types.ts";
import {
  CodeArea,
  Field,
  FormErrors,
  focusField,
  type PlacedError,
  Select,
  TextInput,
} from "../../components/form-kit.tsx";
import { useToast } from "../../components/toast.tsx";
import { ErrorAlert, Loading, PageHead } from "../../components/ui.tsx";
import { useApi } from "../../lib/auth.tsx";
import { placeError } from "../../lib/field-errors.ts";
import { ConfigFrame } from "./config-nav.tsx";

type Kind = "syslog" | "file" | "webhook";

function kindOf(s: SiemSinkJson): Kind {
  return s.file ? "file" : s.webhook ? "webhook" : "syslog";
}

/** The fields the form renders for `t` (where an API error can be placed). */
export function telemetryFields(t: TelemetryConfig): string[] {
  const out = [
    "siem_sinks",
    "siem_overrides",
    "secret_headers",
    "secret_fields",
    "trace_export",
    "trace_export_overrides",
  ];
  t.siem_sinks.forEach((s, i) => {
    const k = kindOf(s);
    out.push(`siem_sinks.${i}`, `siem_sinks.${i}.name`);
    if (k === "syslog")
      out.push(`siem_sinks.${i}.syslog.address`, `siem_sinks.${i}.syslog.protocol`, `siem_sinks.${i}.syslog.framing`);
    if (k === "file") out.push(`siem_sinks.${i}.file.path`);
    if (k === "webhook") out.push(`siem_sinks.${i}.webhook.url`);
  });
  return out;
}

/** A sink switched to another transport keeps its name and common settings. */
export function withKind(s: SiemSinkJson, kind: Kind): SiemSinkJson {
  const { syslog: _s, file: _f, webhook: _w, ...rest } = s;
  if (kind === "syslog") return { ...rest, syslog: s.syslog ?? { address: "", protocol: "tcp" } };
  if (kind === "file") return { ...rest, file: s.file ?? { path: "" } };
  return { ...rest, webhook: s.webhook ?? { url: "" } };
}

/** The JSON box: everything the form does not edit field by field. */
function restOf(t: TelemetryConfig): string {
  return JSON.stringify(
    {
      siem_overrides: t.siem_overrides,
      secret_headers: t.secret_headers,
      secret_fields: t.secret_fields,
      trace_export: t.trace_export,
      trace_export_overrides: t.trace_export_overrides,
    },
    null,
    2,
  );
}

const EMPTY: TelemetryConfig = {
  siem_sinks: [],
  siem_overrides: [],
  secret_headers: [],
  secret_fields: [],
  trace_export: {},
  trace_export_overrides: [],
};

export function TelemetryPage() {
  const api = useApi();
  const toast = useToast();
  const [value, setValue] = useState<TelemetryConfig>();
  const [rest, setRest] = useState("");
  const [loadError, setLoadError] = useState<ApiError>();
  const [placed, setPlaced] = useState<PlacedError | null>(null);
  const [saving, setSaving] = useState(false);

  // Stable React keys of the sinks (their names change while typing).
  const [keys, setKeys] = useState<number[]>([]);
  const [nextKey, setNextKey] = useState(0);

  const load = (t: TelemetryConfig) => {
    setValue(t);
    setKeys(t.siem_sinks.map((_, i) => i));
    setNextKey(t.siem_sinks.length);
    setRest(restOf(t));
  };
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctrl = new AbortController();
    api.telemetry(ctrl.signal).then(
      (t) => loadRef.current(t),
      (e: ApiError) => setLoadError(e),
    );
    return () => ctrl.abort();
  }, [api]);

  if (loadError) return <ErrorAlert error={loadError} title="Telemetry" />;
  if (!value) return <Loading what="telemetry config" />;

  const sinks = value.siem_sinks;
  const setSink = (i: number, s: SiemSinkJson) =>
    setValue({ ...value, siem_sinks: sinks.map((x, j) => (j === i ? s : x)) });

  const save = async () => {
    setPlaced(null);
    let extra: Partial<TelemetryConfig>;
    try {
      extra = JSON.parse(rest || "{}") as Partial<TelemetryConfig>;
    } catch {
      setPlaced({ field: "siem_overrides", message: "Not JSON." });
      return;
    }
    const body: TelemetryConfig = { ...EMPTY, ...extra, siem_sinks: sinks };
    setSaving(true);
    try {
      load(await api.putTelemetry(body));
      toast("Telemetry saved: publish the draft to send it to the nodes.");
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError(0, "NETWORK", String(err));
      const at = placeError(ae.field, telemetryFields(body));
      setPlaced({ field: at, message: ae.message });
      if (at) focusField(at);
    } finally {
      setSaving(false);
    }
  };

  return (
    <ConfigFrame>
      <PageHead
        title="Telemetry"
        sub="SIEM sinks every node ships security events to (published with the next version)"
      />
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <FormErrors value={placed}>
          {placed && !placed.field ? <div className="alert bad">{placed.message}</div> : null}
          {sinks.map((s, i) => {
            const k = kindOf(s);
            const f = `siem_sinks.${i}`;
            return (
              <section className="form-section" key={keys[i]} data-sink={s.name}>
                <h2>Sink {s.name || i + 1}</h2>
                <div className="fields">
                  <Field
                    label="Name"
                    field={`${f}.name`}
                    required
                    hint="a-z, 0-9 and '-': the spool folder and the metrics label."
                  >
                    <TextInput
                      field={`${f}.name`}
                      value={s.name}
                      onChange={(v) => setSink(i, { ...s, name: v })}
                      mono
                    />
                  </Field>
                  <Field label="Transport" field={f}>
                    <Select
                      field={f}
                      value={k}
                      options={[
                        ["syslog", "syslog (RFC 5424)"],
                        ["file", "NDJSON file"],
                        ["webhook", "HTTP webhook"],
                      ]}
                      onChange={(v) => setSink(i, withKind(s, v as Kind))}
                    />
                  </Field>
                  {s.syslog ? (
                    <>
                      <Field
                        label="Address"
                        field={`${f}.syslog.address`}
                        required
                        hint="host:port of the receiver, e.g. a Wazuh manager."
                      >
                        <TextInput
                          field={`${f}.syslog.address`}
                          value={s.syslog.address}
                          mono
                          placeholder="wazuh.internal:514"
                          onChange={(v) => setSink(i, { ...s, syslog: { ...s.syslog!, address: v } })}
                        />
                      </Field>
                      <Field label="Protocol" field={`${f}.syslog.protocol`}>
                        <Select
                          field={`${f}.syslog.protocol`}
                          value={s.syslog.protocol}
                          options={[
                            ["udp", "UDP (RFC 5426)"],
                            ["tcp", "TCP (RFC 6587)"],
                            ["tls", "TLS (RFC 5425)"],
                          ]}
                          onChange={(v) =>
                            setSink(i, { ...s, syslog: { ...s.syslog!, protocol: v as "udp" | "tcp" | "tls" } })
                          }
                        />
                      </Field>
                      <Field
                        label="Framing"
                        field={`${f}.syslog.framing`}
                        hint="TCP/TLS: octet counting, or LF for Wazuh's remoted."
                      >
                        <Select
                          field={`${f}.syslog.framing`}
                          value={s.syslog.framing ?? ""}
                          placeholder="default (octet counting)"
                          options={[
                            ["octet-counting", "octet counting"],
                            ["lf", "LF"],
                          ]}
                          onChange={(v) => {
                            const { framing: _, ...sys } = s.syslog!;
                            setSink(i, { ...s, syslog: v ? { ...sys, framing: v as "lf" | "octet-counting" } : sys });
                          }}
                        />
                      </Field>
                    </>
                  ) : null}
                  {s.file ? (
                    <Field
                      label="Path"
                      field={`${f}.file.path`}
                      required
                      hint="Absolute path on each node; rotated by size."
                    >
                      <TextInput
                        field={`${f}.file.path`}
                        value={s.file.path}
                        mono
                        placeholder="/var/log/palisade/events.ndjson"
                        onChange={(v) => setSink(i, { ...s, file: { ...s.file!, path: v } })}
                      />
                    </Field>
                  ) : null}
                  {s.webhook ? (
                    <Field
                      label="URL"
                      field={`${f}.webhook.url`}
                      required
                      hint="Batches are POSTed as NDJSON; headers go in the JSON box of a sink."
                    >
                      <TextInput
                        field={`${f}.webhook.url`}
                        value={s.webhook.url}
                        mono
                        placeholder="https://siem.example/ingest"
                        onChange={(v) => setSink(i, { ...s, webhook: { ...s.webhook!, url: v } })}
                      />
                    </Field>
                  ) : null}
                </div>
                <button
                  type="button"
                  className="btn small danger"
                  onClick={() => {
                    setValue({ ...value, siem_sinks: sinks.filter((_, j) => j !== i) });
                    setKeys(keys.filter((_, j) => j !== i));
                  }}
                >
                  Remove sink {s.name}
                </button>
              </section>
            );
          })}
          <div className="panel-body">
            <button
              type="button"
              className="btn small"
              onClick={() => {
                setValue({ ...value, siem_sinks: [...sinks, { name: "", syslog: { address: "", protocol: "tcp" } }] });
                setKeys([...keys, nextKey]);
                setNextKey(nextKey + 1);
              }}
            >
              Add a sink
            </button>
          </div>
          <section className="form-section">
            <h2>Overrides and secret names</h2>
            <div className="fields">
              <Field
                label="JSON"
                field="siem_overrides"
                hint='Per-node overrides by sink name: {"sink_name", "selector": {"regions", "labels", "node_ids"}, "sink" | "disabled": true}; secret_headers and secret_fields add to the redactor.'
              >
                <CodeArea field="siem_overrides" value={rest} rows={10} onChange={setRest} />
              </Field>
            </div>
          </section>
        </FormErrors>
        <div className="panel-body">
          <button type="submit" className="btn primary" disabled={saving}>
            {saving ? "Saving…" : "Save telemetry"}
          </button>
        </div>
      </form>
    </ConfigFrame>
  );
}
