import { REDACTED, Redactor } from "@palisade/events";

/** A configured secret field with a regex key (`ARGS:/^card_/`): its collection and the key pattern. */
interface SecretPattern {
  readonly collection: string;
  readonly key: RegExp;
}

/**
 * What a waf policy keeps out of its events (issue 14 point 5): the values of `Authorization`,
 * `Proxy-Authorization`, cookies and every field the policy's `secret_fields` names. Events carry
 * matched variable NAMES only; the one place a rule may quote a value is its `logdata` (and
 * rarely its `msg`), so a rule whose matched variables include a secret one gets its logdata
 * replaced whole by `[REDACTED]`, and every text goes through `@palisade/events`' {@link Redactor}
 * (secret `name=value` pairs, JWTs, credentials after an authorization scheme).
 *
 * `secret_fields` are SecLang targets: `REQUEST_HEADERS:x-api-key` and `RESPONSE_HEADERS:…` add a
 * secret header, `ARGS:password` (also `ARGS_GET`, `ARGS_POST`, `REQUEST_COOKIES`, `FILES`) a
 * secret field name, a `/regex/` key a pattern matched against the variable's key
 * (case-insensitive, as SecLang keys are).
 */
export class WafRedaction {
  readonly #redactor: Redactor;
  readonly #patterns: readonly SecretPattern[];

  /** @param secretFields the policy's `secret_fields` (SecLang targets) */
  constructor(secretFields: readonly string[]) {
    const headers: string[] = [];
    const fields: string[] = [];
    const patterns: SecretPattern[] = [];
    for (const target of secretFields) {
      const colon = target.indexOf(":");
      if (colon < 0) continue;
      const collection = target.slice(0, colon).toUpperCase();
      const key = target.slice(colon + 1);
      if (key.length > 2 && key.startsWith("/") && key.endsWith("/")) {
        try {
          patterns.push({ collection, key: new RegExp(key.slice(1, -1), "i") });
        } catch {
          // The control plane checks secret_fields at publish; a bad pattern here redacts its whole collection.
          patterns.push({ collection, key: /(?:)/ });
        }
      } else if (collection === "REQUEST_HEADERS" || collection === "RESPONSE_HEADERS") headers.push(key);
      else fields.push(key);
    }
    this.#redactor = new Redactor({ secretHeaders: headers, secretFields: fields });
    this.#patterns = patterns;
  }

  /** True when `variable` (`ARGS:password`, `REQUEST_HEADERS:Authorization`) holds a secret value. */
  isSecret(variable: string): boolean {
    if (this.#redactor.isSecretVariable(variable)) return true;
    if (this.#patterns.length === 0) return false;
    const colon = variable.indexOf(":");
    if (colon < 0) return false;
    const collection = variable.slice(0, colon).toUpperCase();
    const key = variable.slice(colon + 1);
    // ARGS is ARGS_GET and ARGS_POST together (SecLang): a secret ARGS field is secret in both.
    const args = collection === "ARGS_GET" || collection === "ARGS_POST";
    for (const p of this.#patterns)
      if ((p.collection === collection || (args && p.collection === "ARGS")) && p.key.test(key)) return true;
    return false;
  }

  /** A rule's logdata: `[REDACTED]` when any of its matched variables is secret, else the text redacted. */
  logdata(logdata: string, matchedVars: readonly string[]): string {
    if (logdata === "") return logdata;
    for (const v of matchedVars) if (this.isSecret(v)) return REDACTED;
    return this.#redactor.text(logdata);
  }

  /** Free text (a rule's msg) with secret pairs and credential shapes replaced. */
  text(s: string): string {
    return this.#redactor.text(s);
  }
}
