import { create } from "@bufbuild/protobuf";
import { CanaryPolicySchema } from "@palisade/proto";
import type { PolicyConfigInit, PolicyJson } from "../policy-type.js";

type StickyBody = "client_address" | { header: string } | { cookie: string } | undefined;

function toSticky(s: StickyBody) {
  if (s === undefined) return undefined;
  if (s === "client_address") return { key: { case: "clientAddress" as const, value: true } };
  if ("header" in s) return { key: { case: "header" as const, value: s.header.toLowerCase() } };
  return { key: { case: "cookie" as const, value: s.cookie } };
}

interface OverrideBody {
  header?: string;
  cookie?: string;
  value?: string;
  regex?: string;
  upstream: string;
}

function toOverride(o: OverrideBody) {
  if (o.cookie !== undefined)
    return {
      upstreamId: o.upstream,
      match: { case: "cookie" as const, value: { name: o.cookie, value: o.value ?? "" } },
    };
  return {
    upstreamId: o.upstream,
    match: {
      case: "header" as const,
      value: {
        name: (o.header ?? "").toLowerCase(),
        value:
          o.regex !== undefined
            ? { case: "regex" as const, value: o.regex }
            : { case: "exact" as const, value: o.value ?? "" },
      },
    },
  };
}

/** The proto `CanaryPolicy` of a stored `canary` config: weights in basis points, header names lower-cased. */
export function toCanaryPolicy(c: PolicyJson): PolicyConfigInit {
  const sticky = toSticky(c.sticky as StickyBody);
  return {
    case: "canary",
    value: create(CanaryPolicySchema, {
      splits: ((c.splits as Array<{ upstream: string; weight: number }>) ?? []).map((s) => ({
        upstreamId: s.upstream,
        weightBp: Math.round(s.weight * 100),
      })),
      overrides: ((c.overrides as OverrideBody[]) ?? []).map(toOverride),
      ...(sticky ? { sticky } : {}),
    }),
  };
}
