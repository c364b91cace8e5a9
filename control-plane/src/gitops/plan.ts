import { prepareCredential } from "../config/consumers/credentials.js";
import { DomainError } from "../errors.js";
import { PROTECTING_POLICY_TYPES } from "../rbac/permissions.js";
import type { Store } from "../store/store.js";
import { type Body, canonicalBody, sameBody } from "./canonical.js";
import {
  type ConfigDocument,
  currentOf,
  currentSection,
  DOCUMENT_KINDS,
  type DocumentKind,
  storeNames,
} from "./document.js";
import { DOCUMENT_SECTIONS, type DocumentSection, isSection } from "./sections.js";

/** What a sync does to one resource. */
export type ChangeAction = "create" | "update" | "delete" | "unchanged";

/** One resource of a plan; `before`/`after` (canonical) only for a create, update or delete. */
export interface PlanChange {
  kind: DocumentKind | DocumentSection;
  name: string;
  action: ChangeAction;
  /** Top-level fields the resource has now that the file leaves out (an update removes them). */
  removed?: string[];
  before?: Body;
  after?: Body;
}

/** An authentication or WAF policy a change takes off a route or out of the global policies. */
export interface ProtectionRemoval {
  /** `routes/orders`, `settings`, or the policy whose type changes (`policies/idp`). */
  resource: string;
  policy: string;
  type: string;
}

/** A sync's plan: every resource of the file (and, with prune, every one the file leaves out). */
export interface SyncPlan {
  changes: PlanChange[];
  counts: Record<ChangeAction, number>;
  removals: ProtectionRemoval[];
}

/** An entry of the file with its source position, for errors (`routes[3]`). */
export interface FileEntry {
  kind: DocumentKind;
  name: string;
  body: Body;
  where: string;
}

/**
 * The entries of a document, checked for shape: each kind a list of mappings with a unique string
 * `name`; each section (`settings`, `telemetry`, `anomaly`) a mapping.
 * @throws DomainError VALIDATION_FAILED naming the entry (`field`: `routes.3.name`)
 */
export function documentEntries(doc: unknown): FileEntry[] {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new DomainError("VALIDATION_FAILED", "the document must be a mapping of kinds", "document");
  const out: FileEntry[] = [];
  for (const [key, list] of Object.entries(doc)) {
    if (isSection(key)) {
      if (typeof list !== "object" || list === null || Array.isArray(list))
        throw new DomainError("VALIDATION_FAILED", `${key} must be a mapping`, key);
      continue;
    }
    if (!(DOCUMENT_KINDS as readonly string[]).includes(key))
      throw new DomainError(
        "VALIDATION_FAILED",
        `unknown kind ${JSON.stringify(key)} (${[...DOCUMENT_KINDS, ...DOCUMENT_SECTIONS].join(", ")})`,
        key,
      );
    if (!Array.isArray(list)) throw new DomainError("VALIDATION_FAILED", `${key} must be a list`, key);
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const where = `${key}.${i}`;
      if (typeof item !== "object" || item === null || Array.isArray(item))
        throw new DomainError("VALIDATION_FAILED", `${where} must be a mapping`, where);
      const name = (item as Body).name;
      if (typeof name !== "string" || name === "")
        throw new DomainError("VALIDATION_FAILED", `${where}.name is required`, `${where}.name`);
      if (seen.has(name)) throw new DomainError("VALIDATION_FAILED", `${key}/${name} appears twice`, `${where}.name`);
      seen.add(name);
      out.push({ kind: key as DocumentKind, name, body: item as Body, where });
    });
  }
  return out;
}

/** The identity of a credential entry: an API key by id, any other by its canonical identity. */
export function credentialKey(c: Body): string {
  if (c.type === "api-key") return `api-key:${String(c.id ?? "")}`;
  try {
    return prepareCredential(c).identity;
  } catch {
    return JSON.stringify(c);
  }
}

/** A consumer's canonical body with its credentials as a sorted set of identities. */
function comparableConsumer(b: Body): Body {
  if (!Array.isArray(b.credentials)) return b;
  return { ...b, credentials: (b.credentials as Body[]).map(credentialKey).sort() };
}

/**
 * Compares a document with the store (canonical forms, canonical.ts).
 * @param prune resources of a kind the file leaves out are deleted (a kind absent from the file
 *   too: the file is the whole configuration); without prune, they are left alone
 */
export async function planSync(
  store: Store,
  doc: ConfigDocument,
  entries: readonly FileEntry[],
  prune: boolean,
): Promise<SyncPlan> {
  const names = await storeNames(store);
  const changes: PlanChange[] = [];
  const types = new Map((await store.listResources("policies")).map((p) => [p.name, String(p.body.type)]));
  const wantedTypes = new Map(types);
  for (const e of entries) if (e.kind === "policies") wantedTypes.set(e.name, String(e.body.type));
  for (const kind of DOCUMENT_KINDS) {
    const current = await currentOf(store, kind, names);
    const mine = entries.filter((e) => e.kind === kind);
    for (const e of mine) {
      const held = current.get(e.name);
      const after = canonicalBody(kind, e.body, names);
      if (kind === "consumers" && held && after.credentials === undefined) delete held.credentials;
      if (!held) {
        changes.push({ kind, name: e.name, action: "create", after });
        continue;
      }
      const same =
        kind === "consumers" ? sameBody(comparableConsumer(held), comparableConsumer(after)) : sameBody(held, after);
      if (same) changes.push({ kind, name: e.name, action: "unchanged" });
      else {
        const removed = Object.keys(held).filter((k) => !(k in after));
        changes.push({
          kind,
          name: e.name,
          action: "update",
          before: held,
          after,
          ...(removed.length ? { removed } : {}),
        });
      }
    }
    if (prune) {
      const kept = new Set(mine.map((e) => e.name));
      for (const [name, before] of current) if (!kept.has(name)) changes.push({ kind, name, action: "delete", before });
    }
  }
  // A section the file leaves out is left alone, or returns to its defaults with prune.
  for (const section of DOCUMENT_SECTIONS) {
    if (doc[section] === undefined && !prune) continue;
    const before = await currentSection(store, section, names);
    const after = canonicalBody(section, doc[section] ?? {}, names);
    changes.push(
      sameBody(before, after)
        ? { kind: section, name: section, action: "unchanged" }
        : { kind: section, name: section, action: "update", before, after },
    );
  }
  const counts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) counts[c.action]++;
  return { changes, counts, removals: protectionRemovals(changes, types, wantedTypes) };
}

/** Policies of a protecting type (authentication, WAF) named in a list. */
function protecting(list: unknown, types: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of Array.isArray(list) ? (list as string[]) : []) {
    const t = types.get(p);
    if (t && PROTECTING_POLICY_TYPES.includes(t)) out.set(p, t);
  }
  return out;
}

/**
 * The authentication and WAF policies a plan takes off a route or out of the global policies, and
 * protecting policies whose type changes to one that protects nothing while routes use them.
 * Deleting a route is not a removal (nothing is served there any more).
 */
function protectionRemovals(
  changes: readonly PlanChange[],
  types: ReadonlyMap<string, string>,
  wantedTypes: ReadonlyMap<string, string>,
): ProtectionRemoval[] {
  const out: ProtectionRemoval[] = [];
  for (const c of changes) {
    if (c.action !== "update") continue;
    if (c.kind === "routes" || c.kind === "settings") {
      const field = c.kind === "routes" ? "policies" : "global_policies";
      const had = protecting(c.before?.[field], types);
      const kept = new Set(Array.isArray(c.after?.[field]) ? (c.after![field] as string[]) : []);
      for (const [policy, type] of had)
        if (!kept.has(policy))
          out.push({ resource: c.kind === "routes" ? `routes/${c.name}` : "settings", policy, type });
    }
    if (c.kind === "policies") {
      const was = types.get(c.name);
      const now = wantedTypes.get(c.name);
      if (was && PROTECTING_POLICY_TYPES.includes(was) && now && !PROTECTING_POLICY_TYPES.includes(now))
        out.push({ resource: `policies/${c.name}`, policy: c.name, type: was });
    }
  }
  return out;
}
