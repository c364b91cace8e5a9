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
 * Policy types the data plane ships that have no entry above (the bench warns about them so the
 * full chain does not silently fall behind).
 * @param {readonly string[]} bundledTypes e.g. the data plane's BUNDLED_POLICY_TYPES
 * @returns {string[]}
 */
export function typesMissingFromChain(bundledTypes) {
  const have = new Set(FULL_CHAIN.map((e) => e.type));
  return bundledTypes.filter((t) => !have.has(t));
}
