import { randomUUID } from "node:crypto";
import { anomalyConfigSchema, type DraftAnomaly } from "../anomaly/anomaly-settings.js";
import { keepStoredSecrets } from "../api/kept-secrets.js";
import { writeAnomaly } from "../api/routes/anomalies.js";
import { writeSettings } from "../api/routes/settings.js";
import { writeTelemetry } from "../api/routes/telemetry.js";
import { checkBodySchema } from "../api/validation-errors.js";
import { prepareCredential } from "../config/consumers/credentials.js";
import { credentialSchema } from "../config/consumers/schema.js";
import { readDraft } from "../config/publisher.js";
import type { RuleSetBody } from "../config/rule-sets.js";
import { settingsSchema } from "../config/settings.js";
import { buildSnapshot } from "../config/snapshot.js";
import { type DraftTelemetry, telemetrySchema } from "../config/telemetry.js";
import { DomainError } from "../errors.js";
import type { Store, StoredResource } from "../store/store.js";
import type { Body } from "./canonical.js";
import { type ConfigDocument, DOCUMENT_KINDS, type DocumentKind, specOf } from "./document.js";
import { credentialKey, type FileEntry, type SyncPlan } from "./plan.js";
import { type DocumentSection, isSection } from "./sections.js";

/** Thrown to roll a dry run back once everything was checked. */
class DryRun extends Error {}

/** Runs `fn`, prefixing an DomainError's message and field with the entry it concerns. */
async function at<T>(resource: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    throw new DomainError(err.code, `${resource}: ${err.message}`, err.field, { ...err.detail, resource });
  }
}

/** Makes a consumer's credentials the file's list (when the file gives one). */
async function syncCredentials(store: Store, consumer: StoredResource, wanted: Body[]): Promise<void> {
  const held = await store.listCredentials(consumer.id);
  const keep = new Set<string>();
  wanted.forEach((c, i) => {
    const field = `credentials.${i}`;
    if (c.type === "api-key") {
      if (!held.some((h) => h.id === c.id))
        throw new DomainError(
          "VALIDATION_FAILED",
          `${field}: an API key is listed by the id of an existing key (create one with POST /v1/consumers/${consumer.name}/credentials)`,
          field,
        );
      keep.add(`api-key:${String(c.id)}`);
      return;
    }
    checkBodySchema(credentialSchema, c);
    keep.add(credentialKey(c));
  });
  for (const h of held) {
    const key = h.type === "api-key" ? `api-key:${h.id}` : credentialKey({ type: h.type, ...h.body });
    if (!keep.has(key)) await store.deleteCredential(consumer.id, h.id);
    else keep.delete(key);
  }
  // What is left to keep is new: create it.
  for (const c of wanted) {
    if (c.type === "api-key" || !keep.has(credentialKey(c))) continue;
    const p = prepareCredential(c);
    if (await store.credentialIdentityTaken(p.identity))
      throw new DomainError(
        "CREDENTIAL_CONFLICT",
        "another consumer's credential already has this identity",
        "credentials",
      );
    await store.insertCredential(
      { id: randomUUID(), consumer_id: consumer.id, type: p.type, body: p.body, created_at: new Date().toISOString() },
      p.identity,
    );
  }
}

/**
 * The body a rule set entry is written with: its `files` when it gives them; else (a dumped file,
 * `content_hash` alone) the stored files, which must be those the hash names.
 * @throws DomainError RULE_SET_READ_ONLY (a bundled rule set), VALIDATION_FAILED naming `files`
 */
function ruleSetBody(e: FileEntry, current: StoredResource | undefined): Body {
  if (current?.body.bundled === true)
    throw new DomainError(
      "RULE_SET_READ_ONLY",
      `rule set ${e.name} ships with the control plane: leave it out of the file`,
    );
  const { content_hash: hash, ...rest } = e.body;
  if (Array.isArray(rest.files)) return rest;
  const held = current?.body as RuleSetBody | undefined;
  if (!held || (hash !== undefined && hash !== held.content_hash))
    throw new DomainError(
      "VALIDATION_FAILED",
      `give the rule set's files (palisadectl: directory:); the control plane holds no rule set ${e.name}${hash === undefined ? "" : ` with content_hash ${String(hash)}`}`,
      "files",
    );
  return { ...rest, files: held.files.map((f) => ({ path: f.path, content_base64: f.content_base64 })) };
}

/**
 * A waf policy's config without the exclusions scoped to routes the store does not hold yet (a
 * route of the same file, written after the policies); undefined when every such route exists.
 */
async function withoutPendingRoutes(store: Store, e: FileEntry): Promise<Body | undefined> {
  const config = e.body.config as { exclusions?: Array<{ routes?: string[] }> } | undefined;
  if (e.body.type !== "waf" || !config?.exclusions) return undefined;
  const routes = new Set((await store.listResources("routes")).flatMap((r) => [r.id, r.name]));
  const pending = (x: { routes?: string[] }) => (x.routes ?? []).some((r) => !routes.has(r));
  if (!config.exclusions.some(pending)) return undefined;
  return { ...e.body, config: { ...config, exclusions: config.exclusions.filter((x) => !x.routes?.length) } };
}

/**
 * Writes one created or updated entry, as POST/PUT of its kind would (schema, checks, references).
 * @param offline see {@link applyPlan}
 * @param asGiven the body to write instead of the entry's (a waf policy before its routes exist)
 */
async function writeEntry(store: Store, e: FileEntry, offline: boolean, asGiven?: Body): Promise<void> {
  const spec = specOf(e.kind);
  const current = await store.getResource(e.kind, e.name);
  const { credentials, ...rest } = e.kind === "rule-sets" ? ruleSetBody(e, current) : (asGiven ?? e.body);
  // `[redacted]` keeps the stored secret; a new resource has none to keep (400 naming the field),
  // unless offline (`palisadectl validate`: a server's file holds its secrets as `[redacted]`).
  const keep = e.kind !== "rule-sets" && (current !== undefined || !offline);
  const stored = current ? { name: current.name, ...current.body } : undefined;
  const body = (keep ? keepStoredSecrets(rest, stored) : rest) as Body;
  checkBodySchema(spec.schema, body);
  const { name: _n, ...fields } = body;
  if (current) await store.updateResource(e.kind, current.id, e.name, await spec.normalize(fields, store, current.id));
  else await store.insertResource(e.kind, randomUUID(), e.name, await spec.normalize(fields, store));
  if (e.kind === "consumers" && Array.isArray(credentials))
    await syncCredentials(store, (await store.getResource("consumers", e.name))!, credentials as Body[]);
}

/**
 * Deletes one resource, as DELETE of its kind would (refused while referenced, except by a waf
 * policy's exclusions when that policy is deleted too).
 * @param deletedPolicies names of the policies this sync deletes
 */
async function deleteEntry(
  store: Store,
  kind: DocumentKind,
  name: string,
  deletedPolicies: ReadonlySet<string>,
): Promise<void> {
  const spec = specOf(kind);
  const current = (await store.getResource(kind, name))!;
  const going = new Set([...deletedPolicies].map((p) => `waf policy ${p} (exclusions)`));
  const users = (await spec.referencedBy(current.id, store)).filter((u) => !going.has(u));
  if (users.length > 0)
    throw new DomainError("RESOURCE_IN_USE", `${spec.noun} ${name} is still used by ${users.join(", ")}`);
  await store.deleteResource(kind, current.id);
}

/**
 * Writes one mapping section as its endpoint's `PUT` would (schema, checks; `[redacted]` keeps a
 * stored telemetry secret; anomaly thresholds of a route named in the file keyed by its id).
 * @throws DomainError VALIDATION_FAILED / REFERENCE_NOT_FOUND naming the field
 */
async function writeSection(store: Store, section: DocumentSection, body: Body): Promise<void> {
  switch (section) {
    case "settings":
      checkBodySchema(settingsSchema, body);
      await writeSettings(store, body as Parameters<typeof writeSettings>[1]);
      return;
    case "telemetry":
      checkBodySchema(telemetrySchema, body);
      await writeTelemetry(store, body as DraftTelemetry);
      return;
    case "anomaly": {
      checkBodySchema(anomalyConfigSchema, body);
      const t = body.thresholds as { routes?: Record<string, unknown> } | undefined;
      const refOf = new Map<string, string>();
      if (t?.routes && typeof t.routes === "object") {
        const routes: Record<string, unknown> = {};
        for (const [ref, v] of Object.entries(t.routes)) {
          const id = (await store.getResource("routes", ref))?.id ?? ref;
          refOf.set(id, ref);
          routes[id] = v;
        }
        body = { ...body, thresholds: { ...t, routes } };
      }
      try {
        await writeAnomaly(store, body as DraftAnomaly);
      } catch (err) {
        // The field as the file spells it (`…routes.orders.…`, not the route's id).
        const m =
          err instanceof DomainError ? /^(anomaly\.thresholds\.routes\.)([^.]+)(.*)$/.exec(err.field ?? "") : null;
        if (!m || !refOf.has(m[2]!)) throw err;
        const e = err as DomainError;
        throw new DomainError(
          e.code,
          e.message.replaceAll(m[2]!, refOf.get(m[2]!)!),
          `${m[1]}${refOf.get(m[2]!)}${m[3]}`,
          e.detail,
        );
      }
      return;
    }
  }
}

/** Write order of policies: members of an `auth-any` before it. */
const policyRank = (e: FileEntry) => (e.body.type === "auth-any" ? 1 : 0);

/**
 * Applies a plan in one transaction: creates and updates in reference order (rule sets, upstreams,
 * certificates, policies, consumers, routes, then the sections: settings, telemetry, anomaly),
 * then deletions in the reverse order, then
 * the whole draft is built as the next version would be (dangling references, compile-time rules).
 * Any failure rolls everything back: a file with an error changes nothing.
 * @param dryRun check everything, then roll back
 * @param offline the store is a throwaway one (`palisadectl validate`): a new resource's
 *   `[redacted]` secret is taken as the server's (checked as given) instead of refused
 * @throws DomainError naming the resource (`resource`: `routes/orders`) and the field
 */
export async function applyPlan(
  store: Store,
  plan: SyncPlan,
  entries: readonly FileEntry[],
  doc: ConfigDocument,
  dryRun: boolean,
  offline = false,
): Promise<void> {
  const byKey = new Map(entries.map((e) => [`${e.kind}/${e.name}`, e]));
  const writes = plan.changes
    .filter((c) => (c.action === "create" || c.action === "update") && !isSection(c.kind))
    .map((c) => byKey.get(`${c.kind}/${c.name}`)!);
  const order: readonly string[] = DOCUMENT_KINDS;
  writes.sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) || (a.kind === "policies" ? policyRank(a) - policyRank(b) : 0),
  );
  const deletes = plan.changes.filter((c) => c.action === "delete");
  // Referencing before referenced; among policies, auth-any ones first (their members are then free).
  const authAnyFirst = (c: (typeof deletes)[number]) => (c.before?.type === "auth-any" ? 0 : 1);
  deletes.sort((a, b) => order.indexOf(b.kind) - order.indexOf(a.kind) || authAnyFirst(a) - authAnyFirst(b));
  try {
    await store.transaction(async () => {
      // A waf policy's exclusions may name routes of this file: written without them first, whole
      // once the routes exist.
      const deferred: FileEntry[] = [];
      for (const e of writes)
        await at(`${e.kind}/${e.name}`, async () => {
          const early = e.kind === "policies" ? await withoutPendingRoutes(store, e) : undefined;
          if (early) deferred.push(e);
          await writeEntry(store, e, offline, early);
        });
      for (const e of deferred) await at(`${e.kind}/${e.name}`, () => writeEntry(store, e, offline));
      for (const c of plan.changes)
        if (isSection(c.kind) && c.action === "update") {
          const section = c.kind;
          await at(section, () => writeSection(store, section, doc[section] ?? {}));
        }
      const deletedPolicies = new Set(deletes.filter((c) => c.kind === "policies").map((c) => c.name));
      for (const c of deletes)
        await at(`${c.kind}/${c.name}`, () => deleteEntry(store, c.kind as DocumentKind, c.name, deletedPolicies));
      try {
        buildSnapshot(await readDraft(store));
      } catch (err) {
        // An empty draft is a valid file (nothing to publish yet), not an error of the file.
        if (!(err instanceof DomainError && err.code === "NO_CONFIG")) throw err;
      }
      if (dryRun) throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
}
