// The policy chain of `palisade-full`: every production policy type, configured as a real
// deployment would, on the route the bench drives. The admin API has no list of policy types, so
// this list is kept by hand: a new production policy type adds one entry here (in the order it
// should run), and the bench creates it and attaches it to the "full" route without other edits.

/**
 * What an entry may use: the bench's signing key (public JWK, `kid` set) and a token it signed.
 * @typedef {object} BenchCredentials
 * @property {Record<string, unknown>} publicJwk RS256 public key, with `kid`, `alg`, `use`
 * @property {string} token compact JWS: RS256, sub bench-user, iss https://idp.bench, aud bench, exp +1 h
 * @property {string} issuer
 * @property {string} audience
 */

/**
 * One policy of the full chain.
 * @typedef {object} ChainEntry
 * @property {string} type the policy type, as `POST /v1/policies` takes it
 * @property {(c: BenchCredentials) => {name: string, type: string, config: Record<string, unknown>}} body
 *   the `POST /v1/policies` body
 * @property {(c: BenchCredentials) => Record<string, string>} [requestHeaders] headers every benchmark
 *   request must carry to pass this policy (sent by wrk and the fixed-rate run)
 * @property {(api: AdminApi) => Promise<Record<string, string>>} [prepare] creates what the policy
 *   needs besides itself (a consumer and its credential, say) through the admin API, before the
 *   policy; returns request headers to send, like `requestHeaders`
 */

/**
 * One admin API call: method, path, JSON body; resolves to the parsed answer, throws on a non-2xx.
 * @typedef {(method: string, path: string, json?: unknown) => Promise<any>} AdminApi
 */

/** @type {readonly ChainEntry[]} */
export const FULL_CHAIN = [
  {
    // The bench's load comes from 127.0.0.1: the allow list admits it (the CIDR match is measured).
    type: "ip-restriction",
    body: () => ({ name: "ip-allow", type: "ip-restriction", config: { allow: ["127.0.0.1", "10.0.0.0/8"] } }),
  },
  {
    type: "request-size",
    body: () => ({
      name: "size",
      type: "request-size",
      config: {
        max_body_bytes: 1048576,
        max_header_bytes: 16384,
        max_headers: 100,
        max_url_bytes: 4096,
        max_query_params: 50,
      },
    }),
  },
  {
    // No Origin on the bench's requests: the policy still runs and adds Vary: Origin.
    type: "cors",
    body: () => ({
      name: "cors",
      type: "cors",
      config: { allow_origins: ["https://app.bench.test"], allow_credentials: true, max_age_s: 600 },
    }),
  },
  {
    // A partner key beside the user's token (a route listing both requires both): the key is
    // hashed and looked up in the node's consumer index on every request.
    type: "api-key",
    prepare: async (api) => {
      await api("POST", "/v1/consumers", { name: "bench-partner" });
      const cred = await api("POST", "/v1/consumers/bench-partner/credentials", { type: "api-key" });
      return { "X-Api-Key": cred.key };
    },
    body: () => ({ name: "api-key", type: "api-key", config: { header: "X-Api-Key" } }),
  },
  {
    type: "jwt",
    body: (c) => ({
      name: "jwt",
      type: "jwt",
      config: {
        jwks: { keys: [c.publicJwk] },
        algorithms: ["RS256"],
        issuers: [c.issuer],
        audiences: [c.audience],
        claims_to_headers: { sub: "X-User" },
      },
    }),
    requestHeaders: (c) => ({ Authorization: `Bearer ${c.token}` }),
  },
  {
    // Node-local, per client address, a limit the bench never reaches: the count and the
    // RateLimit-* headers are measured, never a 429.
    type: "rate-limit",
    body: () => ({
      name: "rate-limit",
      type: "rate-limit",
      config: { limits: [{ requests: 1_000_000_000, per: "second" }], key: ["client_address"] },
    }),
  },
  {
    type: "headers",
    body: () => ({
      name: "security-headers",
      type: "headers",
      config: {
        set: {
          "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
          "X-Content-Type-Options": "nosniff",
        },
        remove: ["Server", "X-Powered-By"],
      },
    }),
  },
];

/**
 * Production policy types deliberately left out of the chain, with the reason. Only these; any
 * other type the data plane ships without an entry above shows up as a note under the table.
 * @type {Readonly<Record<string, string>>}
 */
export const NOT_IN_CHAIN = Object.freeze({
  mtls: "needs the HTTPS listener and a client certificate; the bench drives every system over plain HTTP",
  introspection:
    "an alternative to jwt for opaque tokens (one call to the IdP per token, then a cache hit like the jwt cache); a route does not take both",
  "auth-any": "a combinator of the authentication policies above, not a check of its own",
  waf: "measured on its own row, palisade-waf: this chain plus CRS at paranoia level 1 in block mode (WAF_POLICY)",
});

/**
 * The WAF of `palisade-waf` (issue 14): the bundled OWASP CRS v4.28.0 at paranoia level 1, block
 * mode, after the whole {@link FULL_CHAIN} on the same route.
 */
export const WAF_POLICY = Object.freeze({
  name: "bench-waf",
  type: "waf",
  config: { mode: "block", paranoia_level: 1 },
});

/**
 * What `palisade-waf`'s benign API traffic sends besides the chain's credentials: a host name
 * (CRS 920350 scores a numeric Host, as wrk would send from its URL), a client's User-Agent and
 * an Accept, as an API client does; nothing in it matches a CRS rule at paranoia level 1.
 */
export const WAF_CLIENT_HEADERS = Object.freeze({
  Host: "api.bench.test",
  "User-Agent": "bench-client/1.0",
  Accept: "application/json",
});

/**
 * Policy types the data plane ships that have no entry above and are not in {@link NOT_IN_CHAIN}
 * (the bench warns about them so the full chain does not silently fall behind).
 * @param {readonly string[]} bundledTypes e.g. the data plane's BUNDLED_POLICY_TYPES
 * @returns {string[]}
 */
export function typesMissingFromChain(bundledTypes) {
  const have = new Set(FULL_CHAIN.map((e) => e.type));
  return bundledTypes.filter((t) => !have.has(t) && !(t in NOT_IN_CHAIN));
}
