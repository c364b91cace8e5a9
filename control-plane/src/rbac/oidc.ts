import { createHash, randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { AdminTokens } from "../admin-token.js";
import { bool, obj, replies, str, time } from "../api/response-schemas.js";
import { DomainError } from "../errors.js";
import type { Logger } from "../log.js";

/**
 * OIDC sign-in for the web admin (issue 18): the authorization code flow with PKCE (RFC 7636,
 * S256) against a configured issuer (OpenID Connect Core 1.0 §3.1). The control plane is the
 * client: it sends the browser to the issuer with a fresh `state`, `nonce` and code challenge,
 * takes the code back at its callback, exchanges it (with the verifier, and the client secret
 * when one is configured), verifies the ID token with the issuer's JWKS (signature, `iss`, `aud`
 * = client id, `exp`, the `nonce` it sent), maps one claim to a role, and mints a session token of
 * that role (an ordinary API token, source `oidc`, named after the subject, expiring with the
 * session). The browser gets the token through a single-use handoff code in the URL fragment
 * (never the token in a URL), which the web admin exchanges with `POST /v1/auth/oidc/session`.
 */
export interface OidcConfig {
  /** The issuer URL (its discovery document is `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** For a confidential client (`client_secret_basic`); a public client relies on PKCE alone. */
  clientSecret?: string | undefined;
  /** The ID token claim that names the role (a string, or a list of which the first mapped wins). */
  roleClaim: string;
  /** Claim value → role; empty: the claim's value is the role's name. */
  roleMap: Readonly<Record<string, string>>;
  /** Lifetime of a session token, seconds. */
  sessionTtlS: number;
  /** The callback URL registered at the issuer; default: this listener's `/v1/auth/oidc/callback`. */
  redirectUrl?: string | undefined;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** A login in progress (between the redirect to the issuer and the callback). */
interface Pending {
  verifier: string;
  nonce: string;
  redirectUri: string;
  expires: number;
}

const LOGIN_TTL_MS = 10 * 60_000;
const HANDOFF_TTL_MS = 60_000;
const MAX_PENDING = 1000;
const random = () => randomBytes(32).toString("base64url");

/**
 * The sign-in flow. State lives in memory (a login started before a restart must start over).
 */
export class OidcLogin {
  readonly #cfg: OidcConfig;
  readonly #tokens: AdminTokens;
  readonly #log: Logger;
  #discovery: Promise<Discovery> | undefined;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #handoffs = new Map<string, { token: string; role: string; expiresAt: string; expires: number }>();
  /** The callback URL when none is configured: set once the listener is bound. */
  defaultRedirectUrl = "";

  constructor(cfg: OidcConfig, tokens: AdminTokens, log: Logger) {
    this.#cfg = cfg;
    this.#tokens = tokens;
    this.#log = log;
  }

  get issuer(): string {
    return this.#cfg.issuer;
  }

  async #discover(): Promise<Discovery> {
    this.#discovery ??= (async () => {
      const url = `${this.#cfg.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`discovery ${url}: HTTP ${res.status}`);
      const d = (await res.json()) as Discovery;
      // OpenID Connect Discovery 1.0 §4.3: the document's issuer is the configured one, exactly.
      if (d.issuer !== this.#cfg.issuer) throw new Error(`discovery names issuer ${d.issuer}, not ${this.#cfg.issuer}`);
      this.#jwks = createRemoteJWKSet(new URL(d.jwks_uri));
      return d;
    })().catch((err) => {
      this.#discovery = undefined;
      throw err;
    });
    return this.#discovery;
  }

  #sweep(now: number): void {
    for (const [k, p] of this.#pending) if (p.expires < now) this.#pending.delete(k);
    for (const [k, h] of this.#handoffs) if (h.expires < now) this.#handoffs.delete(k);
  }

  /** The issuer's authorization URL for a new login (state, nonce, PKCE S256 challenge). */
  async start(): Promise<string> {
    const d = await this.#discover();
    const now = Date.now();
    this.#sweep(now);
    if (this.#pending.size >= MAX_PENDING) throw new DomainError("BAD_REQUEST", "too many sign-ins in progress");
    const state = random();
    const verifier = random();
    const nonce = random();
    const redirectUri = this.#cfg.redirectUrl ?? this.defaultRedirectUrl;
    this.#pending.set(state, { verifier, nonce, redirectUri, expires: now + LOGIN_TTL_MS });
    const url = new URL(d.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.#cfg.clientId,
      redirect_uri: redirectUri,
      scope: "openid profile email",
      state,
      nonce,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  /**
   * Finishes a login: exchanges the code, verifies the ID token, maps the role, mints the session.
   * @returns a single-use handoff code for the web admin
   * @throws Error with a message for the person signing in (no token, no secret in it)
   */
  async finish(query: { code?: string; state?: string; error?: string; error_description?: string }): Promise<string> {
    if (query.error) throw new Error(`the identity provider refused: ${query.error_description ?? query.error}`);
    const pending = query.state ? this.#pending.get(query.state) : undefined;
    if (!pending || pending.expires < Date.now() || !query.code)
      throw new Error("this sign-in is unknown or expired: start again");
    this.#pending.delete(query.state!);
    const d = await this.#discover();
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code: query.code,
      redirect_uri: pending.redirectUri,
      client_id: this.#cfg.clientId,
      code_verifier: pending.verifier,
    });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (this.#cfg.clientSecret)
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(this.#cfg.clientId)}:${encodeURIComponent(this.#cfg.clientSecret)}`).toString("base64")}`;
    const res = await fetch(d.token_endpoint, {
      method: "POST",
      headers,
      body: form,
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string };
    if (!res.ok || !body.id_token)
      throw new Error(`the identity provider did not issue an ID token (${body.error ?? `HTTP ${res.status}`})`);
    const { payload } = await jwtVerify(body.id_token, this.#jwks!, {
      issuer: this.#cfg.issuer,
      audience: this.#cfg.clientId,
    });
    if (payload.nonce !== pending.nonce) throw new Error("the ID token's nonce is not this sign-in's");
    const role = this.#roleOf(payload[this.#cfg.roleClaim]);
    if (!role) throw new Error(`no role for this account (claim ${this.#cfg.roleClaim}): ask an administrator`);
    const who = String(payload.email ?? payload.preferred_username ?? payload.sub);
    const { row, secret } = await this.#tokens.create({
      name: `oidc:${who}`.slice(0, 128),
      role,
      ttlS: this.#cfg.sessionTtlS,
      source: "oidc",
      subject: String(payload.sub),
      createdBy: this.#cfg.issuer,
    });
    this.#log.info({ token_id: row.id, role, subject: payload.sub }, "OIDC sign-in");
    const handoff = random();
    this.#handoffs.set(handoff, {
      token: secret,
      role,
      expiresAt: row.expires_at ?? "",
      expires: Date.now() + HANDOFF_TTL_MS,
    });
    return handoff;
  }

  /** The session token of a handoff code, once. */
  redeem(code: string): { token: string; role: string; expires_at: string } | undefined {
    const h = this.#handoffs.get(code);
    this.#handoffs.delete(code);
    if (!h || h.expires < Date.now()) return undefined;
    return { token: h.token, role: h.role, expires_at: h.expiresAt };
  }

  #roleOf(claim: unknown): string | undefined {
    const values = Array.isArray(claim) ? claim.map(String) : typeof claim === "string" ? [claim] : [];
    for (const v of values) {
      const role = Object.keys(this.#cfg.roleMap).length > 0 ? this.#cfg.roleMap[v] : v;
      if (role && this.#tokens.hasRole(role)) return role;
    }
    return undefined;
  }
}

/**
 * The public sign-in endpoints: `GET /v1/auth/oidc` (`{enabled, issuer}`, for the sign-in page),
 * `GET /v1/auth/oidc/login` (302 to the issuer), `GET /v1/auth/oidc/callback` (302 to the web
 * admin's `/#oidc=<handoff>`, or `/#oidc_error=<message>`), `POST /v1/auth/oidc/session`
 * `{code}` → `{token, role, expires_at}` (no-store; 400 BAD_REQUEST for an unknown or used code).
 * Without OIDC configured, the first answers `{enabled: false}` and the others 404 NOT_FOUND.
 */
export function registerOidcRoutes(app: FastifyInstance, oidc: OidcLogin | undefined, log: Logger): void {
  const open = { config: { public: true } };
  const need = (): OidcLogin => {
    if (!oidc) throw new DomainError("NOT_FOUND", "OIDC sign-in is not configured (--oidc-issuer)");
    return oidc;
  };
  const state = obj({ enabled: bool, issuer: str }, ["enabled"]);
  app.get("/v1/auth/oidc", { ...open, schema: { response: replies(state) } }, async () =>
    oidc ? { enabled: true, issuer: oidc.issuer } : { enabled: false },
  );
  const redirect = (to: string) => ({ ...open, schema: { response: replies({ type: "null", description: to }, 302) } });
  app.get("/v1/auth/oidc/login", redirect("to the identity provider"), async (_req, reply) => {
    const o = need();
    let url: string;
    try {
      url = await o.start();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      log.warn({ err }, "OIDC discovery failed");
      return reply.redirect(`/#oidc_error=${encodeURIComponent("the identity provider cannot be reached")}`);
    }
    return reply.header("cache-control", "no-store").redirect(url);
  });
  app.get(
    "/v1/auth/oidc/callback",
    redirect("to the web admin: /#oidc=<code> or /#oidc_error=<message>"),
    async (req, reply) => {
      const o = need();
      reply.header("cache-control", "no-store");
      try {
        const handoff = await o.finish(req.query as Record<string, string>);
        return reply.redirect(`/#oidc=${handoff}`);
      } catch (err) {
        const message = (err as Error).message.slice(0, 200);
        log.warn({ reason: message }, "OIDC sign-in refused");
        return reply.redirect(`/#oidc_error=${encodeURIComponent(message)}`);
      }
    },
  );
  app.post(
    "/v1/auth/oidc/session",
    {
      ...open,
      schema: {
        body: {
          type: "object",
          required: ["code"],
          additionalProperties: false,
          properties: { code: { type: "string", minLength: 1, maxLength: 128 } },
        },
        response: replies(obj({ token: str, role: str, expires_at: time }, ["token", "role", "expires_at"])),
      },
    },
    async (req, reply) => {
      const session = need().redeem((req.body as { code: string }).code);
      if (!session)
        throw new DomainError("BAD_REQUEST", "this sign-in code is unknown, used or expired: sign in again");
      reply.header("cache-control", "no-store");
      return session;
    },
  );
}
