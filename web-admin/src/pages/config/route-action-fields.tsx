/** The route form's target: proxy to an upstream, answer with a redirect, or with a fixed response (issue 22). */
import type { RouteBody, Upstream } from "../../api/types.ts";
import { Check, CodeArea, Field, NumberInput, Select, TextInput } from "../../components/form-kit.tsx";
import { Link } from "../../lib/router.tsx";

type Target = "upstream" | "redirect" | "direct_response";
type Redirect = NonNullable<RouteBody["redirect"]>;
type Direct = NonNullable<RouteBody["direct_response"]>;

/** The fields of the section (for the form's error placement). */
export const ACTION_FIELDS = [
  "redirect",
  "redirect.status",
  "redirect.scheme",
  "redirect.host",
  "redirect.port",
  "redirect.path",
  "redirect.prefix_rewrite",
  "direct_response",
  "direct_response.status",
  "direct_response.headers",
  "direct_response.body",
];

function targetOf(b: RouteBody): Target {
  if (b.redirect !== undefined) return "redirect";
  if (b.direct_response !== undefined) return "direct_response";
  return "upstream";
}

/** `Name: value` lines ⇄ the headers object. */
function headersText(h: Record<string, string> | undefined): string {
  return Object.entries(h ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}
function parseHeaders(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return Object.keys(out).length ? out : undefined;
}

export function RouteTargetFields({
  value,
  set,
  upstreams,
}: {
  value: RouteBody;
  set: (patch: Partial<RouteBody>) => void;
  upstreams: Upstream[];
}) {
  const target = targetOf(value);
  const r: Redirect = value.redirect ?? {};
  const d: Direct = value.direct_response ?? { status: 503 };
  const setRedirect = (patch: Partial<Redirect>) => {
    const next = { ...r, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined || v === "") delete next[k];
    set({ redirect: next as Redirect });
  };
  const setDirect = (patch: Partial<Direct>) => {
    const next = { ...d, ...patch } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v === undefined || v === "") delete next[k];
    set({ direct_response: next as Direct });
  };
  return (
    <>
      <Field
        label="Target"
        field="target"
        hint="A redirect or a fixed response answers on the node, after the route's policies let the request through."
      >
        <Select
          field="target"
          value={target}
          options={[
            ["upstream", "Proxy to an upstream"],
            ["redirect", "Redirect"],
            ["direct_response", "Fixed response"],
          ]}
          onChange={(t) =>
            set({
              upstream: t === "upstream" ? (value.upstream ?? "") : undefined,
              redirect: t === "redirect" ? { status: 301 } : undefined,
              direct_response: t === "direct_response" ? { status: 503 } : undefined,
            })
          }
        />
      </Field>
      {target === "upstream" ? (
        <Field
          label="Upstream"
          field="upstream"
          required
          hint={upstreams.length ? undefined : "Create an upstream first."}
        >
          <Select
            field="upstream"
            value={value.upstream ?? ""}
            placeholder="Choose an upstream…"
            options={upstreams.map((u) => [
              u.id,
              `${u.name} (${u.targets.length} target${u.targets.length === 1 ? "" : "s"})`,
            ])}
            onChange={(upstream) => set({ upstream })}
          />{" "}
          {!upstreams.length ? <Link to="/config/upstreams/new">New upstream</Link> : null}
        </Field>
      ) : null}
      {target === "redirect" ? (
        <>
          <Field label="Redirect status" field="redirect.status">
            <Select
              field="redirect.status"
              value={String(r.status ?? 301)}
              options={[
                ["301", "301 Moved Permanently"],
                ["302", "302 Found"],
                ["303", "303 See Other"],
                ["307", "307 Temporary Redirect"],
                ["308", "308 Permanent Redirect"],
              ]}
              onChange={(v) => setRedirect({ status: Number(v) as Redirect["status"] })}
            />
          </Field>
          <Field
            label="Scheme"
            field="redirect.scheme"
            hint="https: an HTTPS upgrade (the port goes to 443 unless set)."
          >
            <Select
              field="redirect.scheme"
              value={r.scheme ?? ""}
              options={[
                ["", "Keep the request's"],
                ["http", "http"],
                ["https", "https"],
              ]}
              onChange={(v) => setRedirect({ scheme: (v || undefined) as Redirect["scheme"] })}
            />
          </Field>
          <Field label="Host" field="redirect.host" hint="Empty: the request's host.">
            <TextInput
              field="redirect.host"
              value={r.host ?? ""}
              onChange={(host) => setRedirect({ host })}
              placeholder="www.example.com"
            />
          </Field>
          <Field
            label="Port"
            field="redirect.port"
            hint="Empty: kept when scheme and host are, else the scheme's default."
          >
            <NumberInput
              field="redirect.port"
              value={r.port}
              onChange={(v) => setRedirect({ port: v as number | undefined })}
            />
          </Field>
          <Field
            label="Path"
            field="redirect.path"
            hint="Replaces the whole path; {id} takes the value a template path captured. Empty: kept."
          >
            <TextInput
              field="redirect.path"
              mono
              value={r.path ?? ""}
              onChange={(path) => setRedirect({ path })}
              placeholder="/v2/users/{id}"
            />
          </Field>
          <Field
            label="Prefix rewrite"
            field="redirect.prefix_rewrite"
            hint="Replaces the matched prefix instead (exact and prefix paths)."
          >
            <TextInput
              field="redirect.prefix_rewrite"
              mono
              value={r.prefix_rewrite ?? ""}
              onChange={(prefix_rewrite) => setRedirect({ prefix_rewrite })}
              placeholder="/v2"
            />
          </Field>
          <Field label="Query" field="redirect.strip_query" asGroup>
            <Check
              field="redirect.strip_query"
              label="Drop the query"
              checked={!!r.strip_query}
              onChange={(v) => setRedirect({ strip_query: v || undefined })}
            />
          </Field>
        </>
      ) : null}
      {target === "direct_response" ? (
        <>
          <Field label="Status" field="direct_response.status" required>
            <NumberInput
              field="direct_response.status"
              value={d.status}
              onChange={(v) => setDirect({ status: v as number })}
              placeholder="503"
            />
          </Field>
          <Field label="Headers" field="direct_response.headers" hint="One 'Name: value' per line.">
            <CodeArea
              field="direct_response.headers"
              rows={3}
              value={headersText(d.headers)}
              onChange={(t) => setDirect({ headers: parseHeaders(t) })}
              placeholder="Retry-After: 120"
            />
          </Field>
          <Field
            label="Body"
            field="direct_response.body"
            hint="At most 64 KiB; text/plain unless a Content-Type header says otherwise."
          >
            <CodeArea
              field="direct_response.body"
              rows={5}
              value={d.body ?? ""}
              onChange={(body) => setDirect({ body })}
            />
          </Field>
        </>
      ) : null}
    </>
  );
}
