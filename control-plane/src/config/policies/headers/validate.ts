import { fail } from "../../fail.js";

/** Framing and hop-by-hop fields a headers policy may not touch (RFC 9110 §7.6.1). */
const RESERVED_RESPONSE_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "content-encoding",
]);
const VALUE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;

/**
 * Checks a `headers` config: no framing header edited, values are header text, none both set and removed.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkHeaders(c: {
  set?: Record<string, string>;
  add_if_missing?: Record<string, string>;
  remove?: string[];
}): void {
  const set = new Set<string>();
  for (const map of ["set", "add_if_missing"] as const)
    for (const [name, value] of Object.entries(c[map] ?? {})) {
      if (RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()))
        fail(`${name} frames the message and cannot be edited`, `config.${map}.${name}`);
      if (!VALUE.test(value))
        fail("not valid header text (visible ASCII, no leading/trailing space)", `config.${map}.${name}`);
      set.add(name.toLowerCase());
    }
  (c.remove ?? []).forEach((name, i) => {
    if (RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()))
      fail(`${name} frames the message and cannot be removed`, `config.remove.${i}`);
    if (set.has(name.toLowerCase())) fail(`${name} is also set`, `config.remove.${i}`);
  });
  if (set.size === 0 && !c.remove?.length) fail("give set, add_if_missing or remove", "config");
}
