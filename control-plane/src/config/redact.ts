/** Marker that replaces secret values in API answers. */
export const REDACTED = "[redacted]";

/**
 * Returns a copy of a policy config with secrets replaced by `[redacted]`: the `k` of `oct`
 * JWKs (shared HMAC secrets), an introspection policy's `client_secret` and a rate limit's Redis
 * password. Secrets never leave the control plane through the admin API, the logs or the UI;
 * they go to nodes only.
 */
export function redactPolicyConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
  if (type === "introspection" && config.client_secret !== undefined) return { ...config, client_secret: REDACTED };
  if (type === "rate-limit") {
    const redis = config.redis as Record<string, unknown> | undefined;
    if (redis?.password === undefined || redis.password === "") return config;
    return { ...config, redis: { ...redis, password: REDACTED } };
  }
  if (type !== "jwt") return config;
  const jwks = config.jwks as { keys?: Array<Record<string, unknown>> } | undefined;
  if (!jwks?.keys) return config;
  return {
    ...config,
    jwks: { ...jwks, keys: jwks.keys.map((k) => (k.kty === "oct" ? { ...k, k: REDACTED } : k)) },
  };
}

/** A snapshot as `toJson` renders it (only the parts that can hold secrets are typed). */
interface SnapshotJson {
  policies?: Array<{
    jwt?: { jwksJson?: string };
    introspection?: { clientSecret?: string };
    rateLimit?: { redis?: { password?: string } };
  }>;
  consumers?: Array<{ credentials?: Array<{ apiKey?: { sha256?: string } }> }>;
  certificates?: Array<{ keyPem?: string }>;
  telemetry?: Array<{
    siemSinks?: SinkJson[];
    siemOverrides?: Array<{ sink?: SinkJson }>;
    traceExport?: TraceJson;
    traceExportOverrides?: Array<{ traceExport?: TraceJson }>;
  }>;
}

/** Trace export settings as `toJson` renders them (their secrets: header values). */
interface TraceJson {
  headers?: Record<string, string>;
}

function redactHeaders(h: Record<string, string> | undefined): void {
  if (h) for (const k of Object.keys(h)) h[k] = REDACTED;
}

/** A SIEM sink as `toJson` renders it (its secrets: TLS keys, webhook header values). */
interface SinkJson {
  syslog?: { tls?: { keyPem?: string } };
  webhook?: { headers?: Record<string, string>; tls?: { keyPem?: string } };
}

function redactSink(s: SinkJson | undefined): void {
  if (!s) return;
  for (const t of [s.syslog?.tls, s.webhook?.tls]) if (t?.keyPem) t.keyPem = REDACTED;
  redactHeaders(s.webhook?.headers);
}

/**
 * Redacts a snapshot's JSON rendering in place for `GET /v1/config/versions/{n}`: HMAC secrets
 * in inline JWKS, introspection client secrets, rate limits' Redis passwords, certificates'
 * private keys, SIEM sinks' TLS keys, webhook and trace export header values, and API key hashes (not secret, but of no use to an operator; the key prefix
 * stays).
 */
export function redactSnapshotJson(json: SnapshotJson): SnapshotJson {
  for (const p of json.policies ?? []) {
    if (p.jwt?.jwksJson)
      p.jwt.jwksJson = JSON.stringify(redactPolicyConfig("jwt", { jwks: JSON.parse(p.jwt.jwksJson) }).jwks);
    if (p.introspection?.clientSecret) p.introspection.clientSecret = REDACTED;
    if (p.rateLimit?.redis?.password) p.rateLimit.redis.password = REDACTED;
  }
  for (const c of json.consumers ?? [])
    for (const cred of c.credentials ?? []) if (cred.apiKey?.sha256) cred.apiKey.sha256 = REDACTED;
  for (const c of json.certificates ?? []) if (c.keyPem) c.keyPem = REDACTED;
  for (const t of json.telemetry ?? []) {
    for (const s of t.siemSinks ?? []) redactSink(s);
    for (const o of t.siemOverrides ?? []) redactSink(o.sink);
    redactHeaders(t.traceExport?.headers);
    for (const o of t.traceExportOverrides ?? []) redactHeaders(o.traceExport?.headers);
  }
  return json;
}

/**
 * Member names whose string values are secrets wherever they appear: JWK private and
 * symmetric members (RFC 7517 §4, RFC 7518 §6.2.2 and §6.3.2: `d`, `p`, `q`, `dp`, `dq`,
 * `qi`, `k`), and the usual names of keys, tokens and passwords (an API key or a join
 * token shown once at creation, a certificate's private key).
 */
const SECRET_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "k", "key", "secret", "password", "token"]);
const SECRET_SUFFIX = /(?:^|_)(?:secret|password|passphrase|token|private_key|api_key|key_pem)$/i;

/**
 * Deep copy of `value` with every secret-looking string member replaced by `[redacted]`
 * (see SECRET_MEMBERS). A safety net for what is stored beside API answers (the audit
 * log): answers are redacted already, except values an API shows exactly once.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const secret =
      typeof v === "string" && v !== REDACTED && (SECRET_MEMBERS.has(k.toLowerCase()) || SECRET_SUFFIX.test(k));
    out[k] = secret ? REDACTED : redactSecrets(v);
  }
  return out;
}
