import { create } from "@bufbuild/protobuf";
import { type PathMatch, PathMatchSchema, type Route, RouteSchema } from "@palisade/proto";
import type { StoredResource } from "../../store/store.js";
import { type TimeoutsBody, toTimeouts } from "../timeouts.js";
import { toRouteAction } from "./action.js";
import { toConditions, toPatternPathMatch } from "./match.js";

function toPathMatch(p: unknown): PathMatch {
  if (typeof p === "string") return create(PathMatchSchema, { kind: { case: "prefix", value: p } });
  const o = p as { exact?: string; prefix?: string; regex?: string; template?: string };
  const pattern = toPatternPathMatch(o);
  if (pattern !== undefined) return pattern;
  return create(PathMatchSchema, {
    kind: o.exact !== undefined ? { case: "exact", value: o.exact } : { case: "prefix", value: o.prefix ?? "/" },
  });
}

/** The route message of a stored route (references are already ids). */
export function toRoute(r: StoredResource): Route {
  const b = r.body as {
    hosts?: string[];
    paths?: unknown[];
    methods?: string[];
    priority?: number;
    upstream?: string;
    policies?: string[];
    strip_prefix?: boolean;
    prefix_rewrite?: string;
    preserve_host?: boolean;
    timeouts?: TimeoutsBody;
    merge_slashes?: boolean;
    allow_encoded_slashes?: boolean;
    case_sensitive?: boolean;
    strict_trailing_slash?: boolean;
    allow_encoded?: string[];
    refuse_encoded?: string[];
    max_body_bytes?: number;
  } & Parameters<typeof toConditions>[0];
  return create(RouteSchema, {
    id: r.id,
    name: r.name,
    hosts: b.hosts ?? [],
    paths: (b.paths ?? []).map(toPathMatch),
    methods: b.methods ?? [],
    priority: b.priority ?? 0,
    upstreamId: b.upstream ?? "",
    policyIds: b.policies ?? [],
    stripPrefix: b.strip_prefix ?? false,
    prefixRewrite: b.prefix_rewrite ?? "",
    preserveHost: b.preserve_host ?? false,
    ...(b.timeouts ? { timeouts: toTimeouts(b.timeouts) } : {}),
    ...(b.merge_slashes !== undefined ? { mergeSlashes: b.merge_slashes } : {}),
    allowEncodedSlashes: b.allow_encoded_slashes ?? false,
    caseSensitive: b.case_sensitive ?? false,
    strictTrailingSlash: b.strict_trailing_slash ?? false,
    allowEncoded: (b.allow_encoded ?? []).map((e) => e.toUpperCase()),
    refuseEncoded: (b.refuse_encoded ?? []).map((e) => e.toUpperCase()),
    ...(b.max_body_bytes !== undefined ? { maxBodyBytes: BigInt(b.max_body_bytes) } : {}),
    ...toConditions(b),
    ...toRouteAction(r.body as Record<string, unknown>),
  });
}
