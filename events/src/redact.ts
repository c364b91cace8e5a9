/**
 * Redaction of secrets in what an event may quote of a request: query strings, WAF logdata and
 * messages, config error details. Events never carry header values or bodies; these few
 * free-text fields are the only place a credential could leak, and every one of them passes
 * through a {@link Redactor} in the formatter (ecs.ts) — producers need not clean them first.
 *
 * Three rules, applied together:
 * 1. a value whose field name is secret is replaced whole: query parameters and `name=value` /
 *    `"name": "value"` pairs in text, by the default names below plus the configured ones;
 * 2. WAF logdata is replaced whole when a matched variable is secret: a secret header
 *    (Authorization, Cookie …), any cookie (`REQUEST_COOKIES:*`), or an argument with a secret
 *    name (`ARGS:password`, `ARGS:json.user.token`);
 * 3. credential-shaped text is replaced wherever it appears: JWS/JWT compact serializations
 *    (RFC 7515 §7.1, `eyJ…`) and HTTP authorization credentials after a scheme name
 *    (RFC 9110 §11.4: `Bearer …`, `Basic …`).
 * A secret under a name that is none of these, in a field not shaped like a credential, is not
 * recognized: configure its name (`secretFields`).
 */

/** What replaces a secret value. */
export const REDACTED = "[REDACTED]";

/** Header names whose values are always secret (lowercase). */
export const DEFAULT_SECRET_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "apikey",
  "x-auth-token",
  "x-access-token",
  "x-amz-security-token",
  "x-csrf-token",
  "x-xsrf-token",
];

/**
 * Field names (query parameters, form and JSON fields) whose values are always secret, compared
 * after lowercasing and removing `-` and `_` (`api_key` = `apiKey` = `api-key`).
 */
export const DEFAULT_SECRET_FIELDS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "secret",
  "clientsecret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "apikey",
  "key",
  "privatekey",
  "auth",
  "authorization",
  "jwt",
  "session",
  "sessionid",
  "sid",
  "signature",
  "sig",
  "xamzsignature",
  "code",
  "otp",
  "pin",
  "credential",
  "credentials",
];

/**
 * Words that make a field name secret wherever they appear in it (`new_password`,
 * `resetToken`, `x-client-secret`).
 */
const SECRET_WORDS = ["password", "passwd", "secret", "token", "apikey", "credential", "privatekey", "session"];

/** Options of {@link Redactor}: names added to the defaults. */
export interface RedactionOptions {
  /** More header names whose values are secret (any case). */
  readonly secretHeaders?: readonly string[];
  /** More field names whose values are secret (query, form, JSON, cookie names; any case). */
  readonly secretFields?: readonly string[];
}

const JWS = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const SCHEMES = "Bearer|Basic|Digest|Negotiate|Token|ApiKey|Api-Key|AWS4-HMAC-SHA256";
const AUTH_SCHEME = new RegExp(`\\b(${SCHEMES})(?:\\s|%20|\\+)+[A-Za-z0-9._~+/=%:,-]+`, "gi");
const JSON_PAIR = /"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const SEPARATOR = /[=:]/;
const NAME_CHAR = /[A-Za-z0-9_.[\]-]/;
const VALUE_END = /[\s&,;"'}]/;
const SHAPE_HINT = new RegExp(`eyJ|${SCHEMES}`, "i");

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

/** Removes `%xx` escapes and `+` (form encoding) for matching names; bad escapes are kept as text. */
function decodeName(raw: string): string {
  const s = raw.replace(/\+/g, " ");
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Redacts secrets in event text (see the module comment). Pure; build one per config. */
export class Redactor {
  readonly #headers: Set<string>;
  readonly #fields: Set<string>;

  constructor(opts: RedactionOptions = {}) {
    this.#headers = new Set([...DEFAULT_SECRET_HEADERS, ...(opts.secretHeaders ?? [])].map((h) => h.toLowerCase()));
    this.#fields = new Set([...DEFAULT_SECRET_FIELDS, ...(opts.secretFields ?? [])].map(normalize));
  }

  /**
   * True when a value under this header name is secret: a listed header, or a name holding a
   * secret word (`Private-Token`, `X-Vault-Token`, `X-Session-Id`: credentials that no fixed list
   * names all of).
   */
  isSecretHeader(name: string): boolean {
    if (this.#headers.has(name.toLowerCase())) return true;
    const n = normalize(name);
    for (const w of SECRET_WORDS) if (n.includes(w)) return true;
    return false;
  }

  /**
   * True when a value under this field name is secret: the name or any of its path segments
   * (`user[password]`, `json.auth.token`) is a secret field, or it contains a secret word.
   */
  isSecretField(name: string): boolean {
    const n = normalize(name);
    if (this.#fields.has(n)) return true;
    for (const w of SECRET_WORDS) if (n.includes(w)) return true;
    for (const seg of name.split(/[^A-Za-z0-9_-]+/)) {
      if (seg !== "" && this.#fields.has(normalize(seg))) return true;
    }
    return false;
  }

  /**
   * True when a WAF matched variable holds a secret value: a secret header, any cookie value,
   * or an argument with a secret name. Collection names alone (`ARGS_NAMES:x`,
   * `REQUEST_COOKIES_NAMES:x`) hold names, not values.
   */
  isSecretVariable(variable: string): boolean {
    const colon = variable.indexOf(":");
    const collection = (colon < 0 ? variable : variable.slice(0, colon)).toUpperCase();
    const key = colon < 0 ? "" : variable.slice(colon + 1);
    switch (collection) {
      case "REQUEST_COOKIES":
        return true;
      case "REQUEST_HEADERS":
      case "RESPONSE_HEADERS":
        return key === "" || this.isSecretHeader(key);
      case "ARGS":
      case "ARGS_GET":
      case "ARGS_POST":
      case "FILES":
      case "MULTIPART_PART_HEADERS":
        return key === "" || this.isSecretField(key);
      default:
        return false;
    }
  }

  /**
   * A query string (no `?`) with the values of secret parameters replaced by `[REDACTED]` and
   * credential-shaped text removed from the others. Parameter names and order are kept.
   */
  query(q: string): string {
    if (q === "") return q;
    const parts = q.split("&");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const eq = p.indexOf("=");
      const name = eq < 0 ? p : p.slice(0, eq);
      if (eq >= 0 && this.isSecretField(decodeName(name))) parts[i] = `${name}=${REDACTED}`;
      else parts[i] = this.#shapes(p);
    }
    return parts.join("&");
  }

  /** Free text (logdata, messages, error details) with secret pairs and credential shapes replaced. */
  text(s: string): string {
    if (s === "") return s;
    let out = this.#shapes(s);
    // Pairs need a separator: most messages have none and skip both passes.
    if (!SEPARATOR.test(out)) return out;
    if (out.includes('"')) {
      out = out.replace(JSON_PAIR, (m, name: string, sep: string) =>
        this.isSecretField(name) ? `"${name}"${sep}"${REDACTED}"` : m,
      );
    }
    return this.#pairs(out);
  }

  /**
   * `name=value` and `name: value` pairs with a secret name get their value replaced. One pass
   * over the separators; names are at most 64 characters, so the work is linear in the text.
   */
  #pairs(s: string): string {
    let out = "";
    let from = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 61 && c !== 58) continue; // '=' ':'
      let ne = i;
      while (ne > from && (s[ne - 1] === " " || s[ne - 1] === "\t")) ne--;
      let ns = ne;
      while (ns > from && ne - ns < 64 && NAME_CHAR.test(s[ns - 1]!)) ns--;
      if (ns === ne) continue;
      let vs = i + 1;
      while (vs < s.length && (s[vs] === " " || s[vs] === "\t")) vs++;
      let ve = vs;
      const q = s[vs];
      if (q === '"' || q === "'") {
        ve = s.indexOf(q, vs + 1);
        ve = ve < 0 ? s.length : ve + 1;
      } else while (ve < s.length && !VALUE_END.test(s[ve]!)) ve++;
      if (ve === vs) continue;
      const value = s.slice(vs, ve);
      // Already redacted, or a scheme whose credential was (`Authorization: Bearer [REDACTED]`).
      if (value === REDACTED || s.startsWith(` ${REDACTED}`, ve)) continue;
      if (!this.isSecretField(s.slice(ns, ne))) continue;
      out += `${s.slice(from, vs)}${REDACTED}`;
      from = ve;
      i = ve - 1;
    }
    return from === 0 ? s : out + s.slice(from);
  }

  /**
   * A WAF rule's logdata: replaced whole when any matched variable is secret (it quotes the
   * matched value), otherwise {@link text}.
   */
  wafLogdata(logdata: string, matchedVars: readonly string[]): string {
    for (const v of matchedVars) if (this.isSecretVariable(v)) return REDACTED;
    return this.text(logdata);
  }

  #shapes(s: string): string {
    // One cheap test first: both shapes start with one of these words.
    if (!SHAPE_HINT.test(s)) return s;
    return s.replace(JWS, REDACTED).replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  }
}
