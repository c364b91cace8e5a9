/**
 * The route form: match (hosts, paths of every kind, methods, header/query/cookie conditions,
 * priority), upstream, path rules and body limit, ordered policies.
 */
import type { FieldCondition, PathSpec, Policy, RouteBody, Upstream } from "../../api/types.ts";
import {
  Check,
  Field,
  FieldError,
  ListInput,
  NumberInput,
  TextInput,
  useFieldProps,
} from "../../components/form-kit.tsx";
import { Link } from "../../lib/router.tsx";
import { HTTP_METHODS } from "./kinds.ts";
import { ACTION_FIELDS, RouteTargetFields } from "./route-action-fields.tsx";

export function routeFields(b: RouteBody): string[] {
  return [
    "name",
    "hosts",
    "paths",
    ...(b.paths ?? []).map((_, i) => `paths.${i}`),
    "methods",
    ...CONDITION_LISTS.flatMap((l) =>
      ((b[l] as FieldCondition[] | undefined) ?? []).flatMap((_, i) => [
        `${l}.${i}`,
        `${l}.${i}.name`,
        `${l}.${i}.regex`,
      ]),
    ),
    ...(b.paths ?? []).flatMap((_, i) => [`paths.${i}.regex`, `paths.${i}.template`]),
    "priority",
    "target",
    "upstream",
    ...ACTION_FIELDS,
    "policies",
    ...(b.policies ?? []).map((_, i) => `policies.${i}`),
    "strip_prefix",
    "strict_trailing_slash",
    // An entry's error (`allow_encoded.2`) shows beside its list box.
    "allow_encoded",
    "refuse_encoded",
    "max_body_bytes",
  ];
}

export function emptyRoute(): RouteBody {
  return { name: "", paths: [{ prefix: "/" }], upstream: "" };
}

type Kind = "prefix" | "exact" | "template" | "regex";
const PATH_KINDS: readonly Kind[] = ["prefix", "exact", "template", "regex"];
const PATH_PLACEHOLDER: Record<Kind, string> = {
  prefix: "/orders",
  exact: "/orders/export",
  template: "/orders/{id}",
  regex: "/orders/[0-9]+",
};
function split(p: PathSpec): { kind: Kind; path: string } {
  if (typeof p === "string") return { kind: "prefix", path: p };
  const kind = PATH_KINDS.find((k) => k in p) ?? "prefix";
  return { kind, path: (p as Record<string, string>)[kind] ?? "" };
}
function join(kind: Kind, path: string): PathSpec {
  return { [kind]: path } as PathSpec;
}

const CONDITION_LISTS = ["headers", "query", "cookies"] as const;
type ConditionList = (typeof CONDITION_LISTS)[number];
const CONDITION_LABEL: Record<ConditionList, string> = { headers: "header", query: "query", cookies: "cookie" };
type CondKind = "exact" | "prefix" | "regex" | "present" | "absent";
const COND_KINDS: readonly CondKind[] = ["exact", "prefix", "regex", "present", "absent"];

function condKind(c: FieldCondition): CondKind {
  return COND_KINDS.find((k) => k in c) ?? "exact";
}
function condValue(c: FieldCondition): string {
  const k = condKind(c);
  return k === "present" || k === "absent" ? "" : ((c as Record<string, string>)[k] ?? "");
}
function makeCondition(name: string, kind: CondKind, v: string): FieldCondition {
  return (kind === "present" || kind === "absent" ? { name, [kind]: true } : { name, [kind]: v }) as FieldCondition;
}

/** One header, query or cookie condition: where, the name, how, the value. */
function ConditionRow({
  list,
  i,
  c,
  onChange,
  onMove,
  onRemove,
}: {
  list: ConditionList;
  i: number;
  c: FieldCondition;
  onChange: (c: FieldCondition) => void;
  onMove: (to: ConditionList) => void;
  onRemove: () => void;
}) {
  const kind = condKind(c);
  const v = condValue(c);
  const nameProps = useFieldProps(`${list}.${i}.name`);
  const valueProps = useFieldProps(`${list}.${i}.${kind === "regex" ? "regex" : kind}`);
  const n = `${CONDITION_LABEL[list]} condition ${i + 1}`;
  return (
    <div className="row" data-row={`${list}.${i}`}>
      <select
        className="input"
        aria-label={`${n}: source`}
        value={list}
        onChange={(e) => onMove(e.target.value as ConditionList)}
      >
        {CONDITION_LISTS.map((l) => (
          <option key={l} value={l}>
            {CONDITION_LABEL[l]}
          </option>
        ))}
      </select>
      <input
        {...nameProps}
        className="input mono"
        aria-label={`${n}: name`}
        placeholder={list === "headers" ? "x-api-version" : list === "query" ? "format" : "beta"}
        value={c.name}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(makeCondition(e.target.value, kind, v))}
      />
      <select
        className="input"
        aria-label={`${n}: match`}
        value={kind}
        onChange={(e) => onChange(makeCondition(c.name, e.target.value as CondKind, v))}
      >
        {COND_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      {kind === "present" || kind === "absent" ? null : (
        <input
          {...valueProps}
          className="input mono"
          aria-label={`${n}: value`}
          placeholder={kind === "regex" ? "2022-.*" : "2"}
          value={v}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange(makeCondition(c.name, kind, e.target.value))}
        />
      )}
      <button type="button" className="btn small ghost danger-text" onClick={onRemove} aria-label={`Remove ${n}`}>
        Remove
      </button>
      <FieldError field={`${list}.${i}`} />
      <FieldError field={`${list}.${i}.name`} />
      <FieldError field={`${list}.${i}.regex`} />
    </div>
  );
}

function PathRow({
  i,
  p,
  onChange,
  onRemove,
}: {
  i: number;
  p: PathSpec;
  onChange: (p: PathSpec) => void;
  onRemove: () => void;
}) {
  const { kind, path } = split(p);
  const props = useFieldProps(`paths.${i}`);
  return (
    <div className="row" data-row={`paths.${i}`}>
      <select
        className="input"
        aria-label={`Path ${i + 1} match`}
        value={kind}
        onChange={(e) => onChange(join(e.target.value as Kind, path))}
      >
        {PATH_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <div style={{ flex: "1 1 240px" }}>
        <input
          {...props}
          className="input wide mono"
          aria-label={`Path ${i + 1}`}
          placeholder={PATH_PLACEHOLDER[kind]}
          value={path}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => onChange(join(kind, e.target.value))}
        />
        <FieldError field={`paths.${i}`} />
        <FieldError field={`paths.${i}.${kind}`} />
      </div>
      <button
        type="button"
        className="btn small ghost danger-text"
        onClick={onRemove}
        aria-label={`Remove path ${i + 1}`}
      >
        Remove
      </button>
    </div>
  );
}

export function RouteForm({
  value,
  onChange,
  upstreams,
  policies,
}: {
  value: RouteBody;
  onChange: (b: RouteBody) => void;
  upstreams: Upstream[];
  policies: Policy[];
}) {
  const set = (patch: Partial<RouteBody>) => {
    const next = { ...value, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    onChange(next as unknown as RouteBody);
  };
  const paths = value.paths ?? [];
  const conditionsOf = (list: ConditionList) => (value[list] as FieldCondition[] | undefined) ?? [];
  const setConditions = (list: ConditionList, xs: FieldCondition[]) =>
    set({ [list]: xs.length ? xs : undefined } as Partial<RouteBody>);
  const chosen = value.policies ?? [];
  const policyName = (id: string) => policies.find((p) => p.id === id || p.name === id);
  const free = policies.filter((p) => !chosen.includes(p.id) && !chosen.includes(p.name));
  const move = (i: number, d: -1 | 1) => {
    const xs = [...chosen];
    const j = i + d;
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    set({ policies: xs });
  };
  return (
    <>
      <section className="form-section">
        <h2>Route</h2>
        <div className="fields">
          <Field label="Name" field="name" required>
            <TextInput field="name" value={value.name} onChange={(name) => set({ name })} placeholder="orders" />
          </Field>
          <RouteTargetFields value={value} set={set} upstreams={upstreams} />
        </div>
      </section>
      <section className="form-section">
        <h2>Match</h2>
        <div className="fields">
          <Field
            label="Hosts"
            field="hosts"
            hint="Comma-separated; '*.example.com' matches one label. Empty: any host."
          >
            <ListInput
              field="hosts"
              value={value.hosts}
              onChange={(hosts) => set({ hosts })}
              placeholder="api.example.com, *.example.org"
            />
          </Field>
          <Field
            label="Paths"
            field="paths"
            asGroup
            hint="Prefix: the path and everything below it. Template: /users/{id}, one segment per variable. Regex: RE2, the whole path. Exact beats template beats prefix beats regex."
          >
            <div className="row-editor">
              {paths.map((p, i) => (
                <PathRow
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
                  key={i}
                  i={i}
                  p={p}
                  onChange={(np) => set({ paths: paths.map((x, j) => (j === i ? np : x)) })}
                  onRemove={() => {
                    const rest = paths.filter((_, j) => j !== i);
                    set({ paths: rest.length ? rest : undefined });
                  }}
                />
              ))}
              <div>
                <button type="button" className="btn small" onClick={() => set({ paths: [...paths, { prefix: "/" }] })}>
                  Add path
                </button>
              </div>
            </div>
          </Field>
          <Field label="Methods" field="methods" asGroup hint="None checked: any method.">
            {HTTP_METHODS.map((m) => (
              <Check
                key={m}
                field={`methods-${m}`}
                label={m}
                checked={(value.methods ?? []).includes(m)}
                onChange={(on) => {
                  const xs = (value.methods ?? []).filter((x) => x !== m);
                  const next = on ? HTTP_METHODS.filter((x) => xs.includes(x) || x === m) : xs;
                  set({ methods: next.length ? next : undefined });
                }}
              />
            ))}
          </Field>
          <Field
            label="Conditions"
            field="conditions"
            asGroup
            hint="Headers, query parameters and cookies the request must carry (all of them). A route with more conditions wins over the same path with fewer."
          >
            <div className="row-editor">
              {CONDITION_LISTS.flatMap((list) =>
                conditionsOf(list).map((c, i) => (
                  <ConditionRow
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
                    key={`${list}.${i}`}
                    list={list}
                    i={i}
                    c={c}
                    onChange={(nc) =>
                      setConditions(
                        list,
                        conditionsOf(list).map((x, j) => (j === i ? nc : x)),
                      )
                    }
                    onMove={(to) => {
                      if (to === list) return;
                      const rest = conditionsOf(list).filter((_, j) => j !== i);
                      set({
                        [list]: rest.length ? rest : undefined,
                        [to]: [...conditionsOf(to), c],
                      } as Partial<RouteBody>);
                    }}
                    onRemove={() =>
                      setConditions(
                        list,
                        conditionsOf(list).filter((_, j) => j !== i),
                      )
                    }
                  />
                )),
              )}
              <div>
                <button
                  type="button"
                  className="btn small"
                  onClick={() => setConditions("headers", [...conditionsOf("headers"), { name: "", exact: "" }])}
                >
                  Add condition
                </button>
              </div>
            </div>
          </Field>
          <Field label="Priority" field="priority" hint="Higher wins before every other rule (−1000…1000).">
            <NumberInput
              field="priority"
              value={value.priority}
              placeholder="0"
              onChange={(v) => set({ priority: v as number })}
            />
          </Field>
          <Field label="Strip prefix" field="strip_prefix" asGroup>
            <Check
              field="strip_prefix"
              label="Remove the matched prefix before forwarding"
              checked={!!value.strip_prefix}
              onChange={(v) => set({ strip_prefix: v || undefined })}
            />
          </Field>
        </div>
      </section>
      <section className="form-section">
        <h2>Path rules and limits</h2>
        <div className="fields">
          <Field label="Trailing slash" field="strict_trailing_slash" asGroup>
            <Check
              field="strict_trailing_slash"
              label="Strict: /a and /a/ are different paths"
              checked={!!value.strict_trailing_slash}
              onChange={(v) => set({ strict_trailing_slash: v || undefined })}
            />
          </Field>
          <Field
            label="Allow encoded"
            field="allow_encoded"
            hint="Escapes refused by default that this route forwards: %2F, %5C, %01–%1F, %7F."
          >
            <ListInput
              field="allow_encoded"
              value={value.allow_encoded}
              onChange={(allow_encoded) => set({ allow_encoded })}
              placeholder="%5C"
            />
          </Field>
          <Field
            label="Refuse encoded"
            field="refuse_encoded"
            hint="Legal escapes (and ;) this route refuses, for an upstream that decodes them into delimiters."
          >
            <ListInput
              field="refuse_encoded"
              value={value.refuse_encoded}
              onChange={(refuse_encoded) => set({ refuse_encoded })}
              placeholder="%23, %3F, %3B, %25, ;"
            />
          </Field>
          <Field
            label="Body limit (bytes)"
            field="max_body_bytes"
            hint="When no request-size policy sets one. Empty: the fleet default (8 MiB unless set); 0: no limit."
          >
            <NumberInput
              field="max_body_bytes"
              value={value.max_body_bytes}
              width={160}
              placeholder="8388608"
              onChange={(v) => set({ max_body_bytes: v as number | undefined })}
            />
          </Field>
        </div>
      </section>
      <section className="form-section">
        <h2>Policies</h2>
        <div className="fields">
          <Field label="Policies" field="policies" asGroup hint="Run in this order on every request of the route.">
            <div className="row-editor">
              {chosen.length === 0 ? (
                <span className="faint">No policy: requests pass straight to the upstream.</span>
              ) : null}
              {chosen.map((id, i) => {
                const p = policyName(id);
                return (
                  <div className="row" key={id} data-row={`policies.${i}`}>
                    <span className="mono faint">{i + 1}.</span>
                    <span className="chip">{p?.name ?? id}</span>
                    {p ? <span className="badge info">{p.type}</span> : null}
                    <span style={{ flex: 1 }} />
                    <button
                      type="button"
                      className="btn small ghost"
                      onClick={() => move(i, -1)}
                      disabled={i === 0}
                      aria-label={`Move ${p?.name ?? id} up`}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="btn small ghost"
                      onClick={() => move(i, 1)}
                      disabled={i === chosen.length - 1}
                      aria-label={`Move ${p?.name ?? id} down`}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="btn small ghost danger-text"
                      onClick={() => {
                        const rest = chosen.filter((x) => x !== id);
                        set({ policies: rest.length ? rest : undefined });
                      }}
                      aria-label={`Remove policy ${p?.name ?? id}`}
                    >
                      Remove
                    </button>
                    <FieldError field={`policies.${i}`} />
                  </div>
                );
              })}
              {free.length ? (
                <div>
                  <select
                    className="input"
                    aria-label="Add a policy"
                    value=""
                    onChange={(e) => e.target.value && set({ policies: [...chosen, e.target.value] })}
                  >
                    <option value="">Add a policy…</option>
                    {free.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name} ({p.type})
                      </option>
                    ))}
                  </select>
                </div>
              ) : policies.length === 0 ? (
                <span>
                  <Link to="/config/policies/new">New policy</Link>
                </span>
              ) : null}
            </div>
          </Field>
        </div>
      </section>
    </>
  );
}
