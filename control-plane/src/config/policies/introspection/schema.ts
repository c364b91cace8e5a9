import { httpUrl, seconds, stringList } from "../../schema-fields.js";
import { claimRules, claimsToHeaders, unsafeIdentity } from "../identity.js";

/** Config of an `introspection` policy (RFC 7662): the endpoint, client credentials, caching. */
export const introspectionConfigSchema = {
  type: "object",
  required: ["endpoint", "client_id", "client_secret"],
  additionalProperties: false,
  properties: {
    endpoint: httpUrl,
    client_id: { type: "string", minLength: 1, maxLength: 256 },
    client_secret: { type: "string", minLength: 1, maxLength: 1024 },
    auth_method: { type: "string", enum: ["client_secret_basic", "client_secret_post"] },
    token_type_hint: { type: "string", minLength: 1, maxLength: 64 },
    cache_ttl_s: seconds(86_400),
    negative_cache_ttl_s: seconds(3_600),
    timeout_ms: { type: "integer", minimum: 100, maximum: 60_000 },
    cache: { type: "boolean" },
    issuers: stringList,
    audiences: stringList,
    claim_rules: claimRules,
    claims_to_headers: claimsToHeaders,
    forward_token: { type: "boolean" },
    unavailable_status: { type: "integer", enum: [401, 503] },
    require_consumer: { type: "boolean" },
    unsafe_identity: unsafeIdentity,
  },
} as const;
