/** The upstream form: targets (host, port, weight), scheme, balancing, timeouts. */
import type { Target, UpstreamBody } from "../../api/types.ts";
import { Field, FieldError, NumberInput, Select, TextInput, useFieldProps } from "../../components/form-kit.tsx";

/** Field paths this form renders (where API errors can be placed). */
export function upstreamFields(b: UpstreamBody): string[] {
  return [
    "name",
    "scheme",
    "load_balancing",
    "targets",
    ...b.targets.flatMap((_, i) => [`targets.${i}`, `targets.${i}.host`, `targets.${i}.port`, `targets.${i}.weight`]),
    "timeouts",
    "timeouts.connect_ms",
    "timeouts.header_ms",
    "timeouts.body_ms",
  ];
}

export function emptyUpstream(): UpstreamBody {
  return { name: "", targets: [{ host: "", port: 80 }] };
}

function TargetRow({
  i,
  t,
  onChange,
  onRemove,
  canRemove,
}: {
  i: number;
  t: Target;
  onChange: (t: Target) => void;
  onRemove: () => void;
  canRemove: boolean;
}) {
  const hostProps = useFieldProps(`targets.${i}.host`);
  return (
    <div className="row" data-row={`targets.${i}`}>
      <div style={{ flex: "1 1 220px" }}>
        <input
          {...hostProps}
          className="input wide mono"
          aria-label={`Target ${i + 1} host`}
          placeholder="10.0.0.5 or orders.internal"
          value={t.host}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange({ ...t, host: e.target.value })}
        />
      </div>
      <div>
        <NumberInput
          field={`targets.${i}.port`}
          value={t.port}
          label={`Target ${i + 1} port`}
          placeholder="port"
          width={90}
          onChange={(v) => onChange({ ...t, port: v as number })}
        />
      </div>
      <div>
        <NumberInput
          field={`targets.${i}.weight`}
          value={t.weight}
          label={`Target ${i + 1} weight`}
          placeholder="weight 100"
          width={110}
          onChange={(v) => {
            const { weight: _w, ...rest } = t;
            onChange(v === undefined ? rest : { ...rest, weight: v as number });
          }}
        />
      </div>
      <button
        type="button"
        className="btn small ghost danger-text"
        onClick={onRemove}
        disabled={!canRemove}
        aria-label={`Remove target ${i + 1}`}
      >
        Remove
      </button>
      <FieldError field={`targets.${i}`} />
      <FieldError field={`targets.${i}.host`} />
      <FieldError field={`targets.${i}.port`} />
      <FieldError field={`targets.${i}.weight`} />
    </div>
  );
}

export function UpstreamForm({ value, onChange }: { value: UpstreamBody; onChange: (b: UpstreamBody) => void }) {
  const set = (patch: Partial<UpstreamBody>) => onChange({ ...value, ...patch });
  const setTimeout = (k: "connect_ms" | "header_ms" | "body_ms", v: number | string | undefined) => {
    const t = { ...(value.timeouts ?? {}) } as Record<string, unknown>;
    if (v === undefined) delete t[k];
    else t[k] = v;
    const { timeouts: _t, ...rest } = value;
    onChange(Object.keys(t).length ? { ...rest, timeouts: t as UpstreamBody["timeouts"] } : rest);
  };
  return (
    <>
      <section className="form-section">
        <h2>Upstream</h2>
        <div className="fields">
          <Field label="Name" field="name" required hint="Letters, digits, '.', '_' and '-'; routes refer to it.">
            <TextInput field="name" value={value.name} onChange={(name) => set({ name })} placeholder="orders" />
          </Field>
          <Field label="Scheme" field="scheme">
            <Select
              field="scheme"
              value={value.scheme ?? "http"}
              options={[
                ["http", "http"],
                ["https", "https (TLS to the targets)"],
              ]}
              onChange={(v) => set({ scheme: v as UpstreamBody["scheme"] })}
            />
          </Field>
          <Field label="Load balancing" field="load_balancing">
            <Select
              field="load_balancing"
              value={value.load_balancing ?? "round_robin"}
              options={[
                ["round_robin", "Weighted round robin"],
                ["least_requests", "Least requests (power of two choices)"],
              ]}
              onChange={(v) => set({ load_balancing: v as UpstreamBody["load_balancing"] })}
            />
          </Field>
        </div>
      </section>
      <section className="form-section">
        <h2>Targets</h2>
        <div className="fields">
          <Field label="Targets" field="targets" required asGroup hint="host, port and weight (1–1000, default 100).">
            <div className="row-editor">
              {value.targets.map((t, i) => (
                <TargetRow
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
                  key={i}
                  i={i}
                  t={t}
                  canRemove={value.targets.length > 1}
                  onChange={(nt) => set({ targets: value.targets.map((x, j) => (j === i ? nt : x)) })}
                  onRemove={() => set({ targets: value.targets.filter((_, j) => j !== i) })}
                />
              ))}
              <div>
                <button
                  type="button"
                  className="btn small"
                  onClick={() => set({ targets: [...value.targets, { host: "", port: 80 }] })}
                >
                  Add target
                </button>
              </div>
            </div>
          </Field>
        </div>
      </section>
      <section className="form-section">
        <h2>Timeouts</h2>
        <div className="fields">
          <Field label="Connect (ms)" field="timeouts.connect_ms">
            <NumberInput
              field="timeouts.connect_ms"
              value={value.timeouts?.connect_ms}
              placeholder="default"
              onChange={(v) => setTimeout("connect_ms", v)}
            />
          </Field>
          <Field label="Response headers (ms)" field="timeouts.header_ms">
            <NumberInput
              field="timeouts.header_ms"
              value={value.timeouts?.header_ms}
              placeholder="default"
              onChange={(v) => setTimeout("header_ms", v)}
            />
          </Field>
          <Field label="Response body (ms)" field="timeouts.body_ms">
            <NumberInput
              field="timeouts.body_ms"
              value={value.timeouts?.body_ms}
              placeholder="default"
              onChange={(v) => setTimeout("body_ms", v)}
            />
          </Field>
          <FieldError field="timeouts" />
        </div>
      </section>
    </>
  );
}
