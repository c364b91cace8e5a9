/** The config kinds the Config screens list and edit, with their names. */
import type { ResourceKind, RouteBody } from "../../api/types.ts";

export interface KindMeta {
  kind: ResourceKind;
  /** Tab and heading: "Routes". */
  title: string;
  /** "route". */
  noun: string;
  /** What the empty list says. */
  blurb: string;
}

export const KINDS: Record<ResourceKind, KindMeta> = {
  routes: {
    kind: "routes",
    title: "Routes",
    noun: "route",
    blurb: "A route matches requests by host, path and method, runs its policies and proxies to an upstream.",
  },
  upstreams: {
    kind: "upstreams",
    title: "Upstreams",
    noun: "upstream",
    blurb: "An upstream is a set of targets (host:port, weight) that routes proxy to.",
  },
  policies: {
    kind: "policies",
    title: "Policies",
    noun: "policy",
    blurb: "A policy is typed config a route runs in order: jwt, api-key, rate-limit, waf, …",
  },
  consumers: {
    kind: "consumers",
    title: "Consumers",
    noun: "consumer",
    blurb: "A consumer is an identity with credentials (API keys, JWT identities, client certificates).",
  },
  certificates: {
    kind: "certificates",
    title: "Certificates",
    noun: "certificate",
    blurb: "A certificate and its key serve TLS for a set of SNI names.",
  },
};

export const KIND_ORDER: ResourceKind[] = ["routes", "upstreams", "policies", "consumers", "certificates"];

export function isKind(s: string): s is ResourceKind {
  return Object.hasOwn(KINDS, s);
}

/** Policy types the form offers when the control plane does not list its own (`GET /v1/info`). */
export const POLICY_TYPES = [
  "jwt",
  "api-key",
  "mtls",
  "ip-restriction",
  "rate-limit",
  "waf",
  "request-size",
  "cors",
  "headers",
  "mirror",
  "canary",
];

/** JWS algorithms a jwt policy may allow (RFC 7518 §3.1, RFC 8037); never `none`. */
export const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "HS256",
  "HS384",
  "HS512",
];

export const HTTP_METHODS: NonNullable<RouteBody["methods"]> = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
];
