import type { HeadersPolicy } from "@palisade/proto";
import { HeaderBlock } from "../../http/header-block.js";
import { CONTINUE, NO_TRAITS, type Policy } from "../contract.js";
import { PolicyConfigError, type PolicyContext } from "../factory.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// RFC 9110 §5.5 field-value: visible ASCII, space and tab inside, no leading/trailing whitespace.
const VALUE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
/** Framing and hop-by-hop fields a policy may not touch (RFC 9110 §7.6.1, RFC 9112 §6). */
const RESERVED = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
  "content-encoding",
]);

function checkName(where: string, name: string): string {
  const n = name.toLowerCase();
  if (!TOKEN.test(n)) throw new PolicyConfigError(`${where}: "${name}" is not a header name`);
  if (RESERVED.has(n)) throw new PolicyConfigError(`${where}: "${name}" frames the message and cannot be edited`);
  return n;
}

function checkValues(where: string, map: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(map).map(([k, v]) => {
    const n = checkName(`${where}.${k}`, k);
    if (!VALUE.test(v)) throw new PolicyConfigError(`${where}.${k}: the value is not valid header text`);
    return [n, v];
  });
}

/**
 * The `headers` policy (security headers): on every answer of the routes it is attached to,
 * upstream or the node's own (errors, preflights), removes the `remove` names (e.g. `server`,
 * `x-powered-by`: hide what the upstream runs), sets each `set` header (replacing any upstream
 * value: `strict-transport-security`, `x-content-type-options: nosniff`, …), and sets each
 * `add_if_missing` header only when the answer has none. Names are case-insensitive. The `set`
 * lines are one constant {@link HeaderBlock}, serialized once at config compile and copied into
 * each answer as bytes.
 * @throws PolicyConfigError on an invalid name or value, a framing/hop-by-hop name, a name both
 *   removed and set, or nothing to do
 */
export function createHeadersPolicy(cfg: HeadersPolicy, ctx: PolicyContext): Policy {
  const set = checkValues("set", cfg.set);
  const addIfMissing = checkValues("add_if_missing", cfg.addIfMissing);
  const remove = cfg.remove.map((n, i) => checkName(`remove[${i}]`, n));
  if (set.length + addIfMissing.length + remove.length === 0)
    throw new PolicyConfigError("set, add_if_missing or remove is required");
  for (const [n] of [...set, ...addIfMissing])
    if (remove.includes(n)) throw new PolicyConfigError(`remove: "${n}" is also set`);
  const block = set.length === 0 ? null : new HeaderBlock(Object.fromEntries(set));
  return Object.freeze({
    type: "headers",
    id: ctx.id,
    traits: NO_TRAITS,
    responseHeaders(_ex, res) {
      for (const n of remove) res.remove(n);
      if (block !== null) res.addBlock(block);
      for (const [n, v] of addIfMissing) if (res.get(n) === undefined) res.set(n, v);
      return CONTINUE;
    },
  } satisfies Policy);
}
