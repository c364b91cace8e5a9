import { fail } from "../../fail.js";

const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[a-z0-9*][a-z0-9.-]*)(?::([0-9]{1,5}))?$/;

/** A serialized origin or `scheme://*.domain[:port]` pattern, as nodes accept them. */
export function isOriginOrPattern(text: string): boolean {
  const m = ORIGIN.exec(text.toLowerCase());
  if (m === null) return false;
  const host = m[2]!;
  if (host.includes("*") && !/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return false;
  if (host.includes("..") || host.endsWith(".")) return false;
  return m[3] === undefined || Number(m[3]) <= 65535;
}

/**
 * Checks a `cors` config: origins are origins or patterns; credentials never for `*`.
 * @throws DomainError VALIDATION_FAILED naming the field
 */
export function checkCors(c: { allow_origins: string[]; allow_credentials?: boolean }): void {
  c.allow_origins.forEach((o, i) => {
    if (o !== "*" && !isOriginOrPattern(o))
      fail(
        `${JSON.stringify(o)} is not an origin (https://app.example.com), a pattern (https://*.example.com) or *`,
        `config.allow_origins.${i}`,
      );
  });
  if (c.allow_credentials && c.allow_origins.includes("*"))
    fail("credentials cannot be allowed for every origin (*): list the origins", "config.allow_credentials");
}
