import { DomainError } from "../../../errors.js";
import type { StoredResource } from "../../../store/store.js";
import type { DraftIndex } from "../../draft-index.js";
import { AUTH_POLICY_TYPES } from "../policy-types.js";

/**
 * Refuses an `auth-any` policy that lists a missing member or one that is not an authentication
 * policy (members must be `jwt`, `api-key`, `mtls` or `introspection`; no nesting).
 * @throws DomainError REFERENCE_NOT_FOUND / VALIDATION_FAILED naming `policies.<name>.config`
 */
export function checkAuthAnyMembers(p: StoredResource, index: DraftIndex): void {
  if (p.body.type !== "auth-any") return;
  for (const m of (p.body.config as { policies: string[] }).policies) {
    const t = index.policyType(m);
    if (t === undefined)
      throw new DomainError(
        "REFERENCE_NOT_FOUND",
        `policy ${p.name} names a missing policy`,
        `policies.${p.name}.config`,
      );
    if (!AUTH_POLICY_TYPES.includes(t))
      throw new DomainError(
        "VALIDATION_FAILED",
        `policy ${p.name} lists a ${t} policy, not an authentication method`,
        `policies.${p.name}.config`,
      );
  }
}
