import { gzip } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AnomalySettingsSchema,
  addDigest,
  decodeSnapshotBytes,
  encodeSnapshotBytes,
  formatContentHash,
  RESOURCE_KINDS,
  type Resource,
  ResourceSchema,
  removeDigest,
  resourceDigest,
  resourceKind,
  SnapshotSettingsSchema,
  TelemetrySettingsSchema,
} from "@palisade/proto";
import { LRUCache } from "lru-cache";
import { anomalyResource, type DraftAnomaly } from "../anomaly/anomaly-settings.js";
import { DomainError } from "../errors.js";
import type { Store, StoredCredential, StoredResource, StoredVersion, VersionRow } from "../store/store.js";
import type { DraftIndex } from "./draft-index.js";
import { wafRefs } from "./policies/waf/references.js";
import { checkWafPolicy } from "./policies/waf/validate.js";
import { usesRouteMatchers } from "./routes/match.js";
import { toRuleSet } from "./rule-sets.js";
import { type DraftSettings, settingsResource } from "./settings.js";
import { CORE_KINDS, DRAFT_KINDS, type DraftConfig, type DraftKind } from "./snapshot.js";
import { checkSnapshot } from "./snapshot-check.js";
import { type DraftTelemetry, telemetryResource } from "./telemetry.js";

/**
 * Everything of the store that goes into a version, read as a full publish would read it.
 * Used by `GET /v1/config/draft`, so the draft view and a publish see the same resources.
 */
export async function readDraft(store: Store): Promise<DraftConfig> {
  // One transaction: every kind read at the same point of the draft's history.
  return store.transaction(async () => ({
    upstreams: await store.listResources("upstreams"),
    routes: await store.listResources("routes"),
    policies: await store.listResources("policies"),
    consumers: await store.listResources("consumers"),
    credentials: await store.listCredentials(),
    certificates: await store.listResources("certificates"),
    settings: await store.getSettings(),
    telemetry: await store.getSettings("telemetry"),
    ruleSets: await store.listResources("rule-sets"),
  }));
}

/** One resource of a published version: its bytes, digest and what publishing needs to know of it. */
export interface ResourceEntry {
  /** `routes/<id>`: the Snapshot field name and the id. */
  readonly key: string;
  readonly field: number;
  readonly id: string;
  /** The encoded resource message, exactly as nodes receive it. */
  readonly body: Uint8Array;
  /** `resourceDigest(field, body)`. */
  readonly digest: bigint;
  /** Draft revision it was built from (-1 when loaded from a stored version). */
  readonly rev: number;
  /** Policies: the policy type (a feature of the version). */
  readonly policyType?: string;
  /** Routes: features older nodes lack that the route uses ({@link routeFeaturesOf}). */
  readonly routeFeatures?: readonly string[];
  /** The draft it was encoded from, for the consistency check (absent when loaded from a stored version). */
  readonly draft?: StoredResource;
}

/** A published version as the sync server hands it out. Immutable. */
export interface PublishedVersion extends VersionRow {
  /** Features a node must understand to take this version (policy types, extra resource kinds). */
  readonly features: readonly string[];
  /** Every resource of the version by key. */
  readonly resources: ReadonlyMap<string, ResourceEntry>;
  /** Sum of the digests (the content hash before formatting). */
  readonly sum: bigint;
  /** Encoded bytes of all resources (what a full update carries). */
  readonly bytes: number;
  /** Keys changed or removed since the previous version; null when unknown. */
  readonly touched: ReadonlySet<string> | null;
  readonly createdAtMs: bigint;
}

/** Result of a publish: the version, and whether publishing created it. */
export interface PublishResult {
  version: VersionRow;
  created: boolean;
}

/** What a node holding some config needs to reach the latest version. */
export type UpdatePlan =
  | { readonly kind: "none" }
  | { readonly kind: "full"; readonly resources: readonly Resource[] }
  | {
      readonly kind: "delta";
      readonly baseVersion: number;
      readonly baseHash: string;
      readonly changed: readonly Resource[];
      readonly removed: readonly { field: number; id: string }[];
    };

/** How many past versions keep their touched keys in memory for deltas; a node further behind gets a full update. */
export const DELTA_HISTORY = 64;

/** How many versions besides the latest `Publisher.version` keeps decoded (a rollout's target and previous one). */
export const VERSION_CACHE = 4;

interface HistoryEntry {
  readonly version: number;
  readonly hash: string;
  readonly touched: ReadonlySet<string> | null;
}

/** Draft changes kept in the log (`draft_changes`) behind the latest publish. */
const DRAFT_LOG_KEPT = 10_000;

/**
 * Turns the draft config into immutable, numbered versions, and tells the sync sessions what a
 * node lacks. Publishing re-encodes only the draft resources whose revision changed since the
 * previous publish (a one-route edit at 10,000 routes encodes one route), updates the content
 * hash in O(changes), and refuses dangling references. An unchanged draft (same content hash as
 * the latest version) creates nothing. Each version records the resource keys it touched, so a
 * node up to {@link DELTA_HISTORY} versions behind gets a delta (Envoy delta xDS); a node further
 * behind, or holding a config the control plane does not know, gets a full update.
 */
export class Publisher {
  readonly #store: Store;
  readonly #listeners = new Set<(v: PublishedVersion) => void>();
  #latest: PublishedVersion | undefined;
  #history: HistoryEntry[] = [];
  #fullResources: { version: number; list: readonly Resource[] } | undefined;
  /** Whether `#latest.resources` carries the draft revisions (a full scan was done by this process). */
  #synced = false;
  /** Shared database: the draft change this process's latest version took in (`draft_changes.seq`). */
  #draftSeen = 0;
  #routeCount = 0;
  readonly #catalog = new LRUCache<number, PublishedVersion>({ max: VERSION_CACHE });
  /** The publish in progress in this process (publishes run one at a time). */
  #publishing: Promise<unknown> = Promise.resolve();

  /** A publisher with nothing loaded: use {@link Publisher.open}. */
  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * A publisher over `store` with the latest version loaded (its resources decoded once) and
   * the delta history.
   */
  static async open(store: Store): Promise<Publisher> {
    const p = new Publisher(store);
    await p.#reload();
    return p;
  }

  /**
   * Loads the latest stored version and the delta history (at start, and when another
   * control plane on the same database published since this one last looked).
   * @returns whether the latest version changed
   */
  async #reload(): Promise<boolean> {
    const row = await this.#store.latestVersion();
    if (!row || row.version === this.#latest?.version) return false;
    const history = (await this.#store.versionsAfter(Math.max(0, row.version - DELTA_HISTORY))).map((v) => ({
      version: v.version,
      hash: v.hash,
      touched: v.touched ? new Set(v.touched) : null,
    }));
    const prev = this.#latest;
    if (prev) this.#catalog.set(prev.version, prev);
    this.#latest = decodeVersion(row);
    this.#history = history;
    this.#synced = false;
    return true;
  }

  /**
   * Catches up with versions another control plane published on the same database (a replica
   * told by NOTIFY): loads the latest and tells the listeners, as after a publish here.
   * @returns the latest version after catching up
   */
  async refresh(): Promise<PublishedVersion | undefined> {
    await this.#serial(async () => {
      if (await this.#reload()) for (const fn of this.#listeners) fn(this.#latest!);
    });
    return this.#latest;
  }

  /** Runs `fn` after the publish (or refresh) in progress: one at a time per process. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#publishing.then(fn, fn);
    this.#publishing = run.catch(() => {});
    return run;
  }

  /** The latest published version (treat as immutable). */
  latest(): PublishedVersion | undefined {
    return this.#latest;
  }

  /**
   * Any published version by number: the latest from memory, an older one decoded from the store
   * once and kept in a small LRU cache ({@link VERSION_CACHE} versions), since rollouts and
   * rollbacks need a few versions besides the latest (the target, the previous stable one).
   * @returns undefined when no such version was published
   */
  async version(n: number): Promise<PublishedVersion | undefined> {
    const known = this.cached(n);
    if (known) return known;
    const row = await this.#store.getVersion(n);
    if (!row) return undefined;
    const v = decodeVersion(row);
    this.#catalog.set(n, v);
    return v;
  }

  /** A version already in memory (the latest or the small cache), without reading the store. */
  cached(n: number): PublishedVersion | undefined {
    const latest = this.#latest;
    if (latest?.version === n) return latest;
    return this.#catalog.get(n);
  }

  /**
   * The versions {@link planFor} would read for a node holding `held` to reach version
   * `target` that are not in memory yet (load them with {@link version} first, so planning
   * stays synchronous): the target, and the node's base when the target is not the latest.
   */
  missingFor(held: { version: number; hash: string }, target: number): number[] {
    const t = this.cached(target);
    if (!t) return [target];
    if (t === this.#latest || held.hash === "" || held.hash === t.hash || this.#latest?.hash === held.hash) return [];
    if (held.version > 0 && !this.cached(held.version)) return [held.version];
    for (let i = this.#history.length - 1; i >= 0; i--) {
      const h = this.#history[i]!;
      if (h.hash === held.hash) return this.cached(h.version) ? [] : [h.version];
    }
    return [];
  }

  /** Calls `fn` after each new version is committed. */
  onPublish(fn: (v: PublishedVersion) => void): void {
    this.#listeners.add(fn);
  }

  /**
   * Validates the whole draft, then stores it as the next version in one transaction.
   * @throws DomainError REFERENCE_NOT_FOUND for a dangling reference; NO_CONFIG when the draft has no route.
   */
  publish(message: string): Promise<PublishResult> {
    return this.#serial(() => this.#publish(message));
  }

  async #publish(message: string): Promise<PublishResult> {
    const outcome = await this.#store.transaction(
      async (): Promise<{
        result: PublishResult;
        commit: () => void;
        published?: PublishedVersion;
        snapshotBytes?: Uint8Array;
      }> => {
        // Another control plane on this database may have published since: wait for its commit,
        // then start from its version (a full comparison of the draft) so numbers stay monotonic.
        await this.#store.lockPublish();
        const stored = await this.#store.latestVersionNumber();
        if (stored !== (this.#latest?.version ?? 0)) await this.#reload();
        const prev = this.#latest;
        const kinds = new Map<string, DraftKind>(DRAFT_KINDS.map((k) => [k.kind, k]));
        let resources: Map<string, ResourceEntry>;
        let sum = prev?.sum ?? 0n;
        const touched = new Set<string>();
        let routes = 0;
        let fullCheck = true;
        const taken = this.#store.changedResources();
        // Incremental when this process wrote every change since the previous version: always on
        // SQLite; with replicas (PostgreSQL) unless the draft log shows another one's write since
        // (then every revision is compared). The draft lock waits for writes in flight.
        const draft = this.#store.shared ? await this.#store.lockDraft(this.#draftSeen) : { seq: 0, others: false };
        if (prev && this.#synced && !draft.others) {
          // Incremental: only the resources written since the previous publish.
          resources = new Map(prev.resources);
          routes = this.#routeCount;
          fullCheck = false;
          for (const key of taken) {
            const slash = key.indexOf("/");
            const kind = kinds.get(key.slice(0, slash));
            if (!kind) continue;
            const row = await this.#store.getResourceWithRevision(kind.kind, key.slice(slash + 1));
            const old = resources.get(key);
            if (!row) {
              if (!old) continue;
              resources.delete(key);
              sum = removeDigest(sum, old.digest);
              touched.add(key);
              if (kind.kind === "routes") routes--;
              else fullCheck = true; // an upstream or policy is gone: check every route
              continue;
            }
            if (old && old.rev === row.rev) continue;
            const entry = await this.#encode(kind, row);
            resources.set(key, entry);
            if (!old && kind.kind === "routes") routes++;
            if (old?.digest === entry.digest) continue;
            if (old) sum = removeDigest(sum, old.digest);
            sum = addDigest(sum, entry.digest);
            touched.add(key);
          }
        } else {
          resources = new Map<string, ResourceEntry>();
          const revisions = (await this.#store.listResourceRevisions()).filter((r) => kinds.has(r.kind));
          // The resources whose revision moved, read in a few statements (a first publish reads them all).
          const stale = revisions.filter((r) => prev?.resources.get(`${r.kind}/${r.id}`)?.rev !== r.rev);
          const rows = await this.#store.getResourcesWithRevision(stale);
          let credentials: Map<string, StoredCredential[]> | undefined;
          if (stale.some((r) => kinds.get(r.kind)!.withCredentials)) {
            credentials = new Map();
            for (const c of await this.#store.listCredentials())
              credentials.set(c.consumer_id, [...(credentials.get(c.consumer_id) ?? []), c]);
          }
          for (const row of revisions) {
            const kind = kinds.get(row.kind)!;
            const key = `${row.kind}/${row.id}`;
            const old = prev?.resources.get(key);
            if (old && old.rev === row.rev) {
              if (row.kind === "routes") routes++;
              resources.set(key, old);
              continue;
            }
            const draft = rows.get(key);
            if (!draft) continue; // deleted since the revisions were read
            if (row.kind === "routes") routes++;
            const entry = await this.#encode(kind, draft, credentials?.get(row.id) ?? []);
            resources.set(key, entry);
            if (old?.digest === entry.digest) continue;
            if (old) sum = removeDigest(sum, old.digest);
            sum = addDigest(sum, entry.digest);
            touched.add(key);
          }
          if (prev)
            for (const [key, old] of prev.resources)
              if (!resources.has(key)) {
                // Settings and rule sets are not draft rows of a kind: kept here, compared below
                // (#applySettings, #applyWaf), so an unchanged one is not touched (nor resent).
                if (key === "settings/global" || key.startsWith("rule_sets/")) {
                  resources.set(key, old);
                  continue;
                }
                sum = removeDigest(sum, old.digest);
                touched.add(key);
              }
        }
        // Snapshot-wide settings (`PUT /v1/settings`): one resource, read on every publish (it is tiny).
        const settings = ((await this.#store.getSettings()) ?? {}) as DraftSettings;
        sum = this.#applySettings(settings, resources, sum, touched);
        sum = await this.#applyTelemetry(resources, sum, touched);
        sum = await this.#applyAnomaly(resources, sum, touched);
        // WAF rule sets the waf policies reference, and the publish-time compile of those policies.
        const wafTouched =
          fullCheck ||
          taken.some((k) => k.startsWith("rule-sets/")) ||
          [...touched].some((k) => k.startsWith("policies/") || (k.startsWith("routes/") && !resources.has(k)));
        // The consistency check (snapshot-check.ts, as buildSnapshot runs it): every route on a
        // full check, else the routes this publish changed; policies are few, so any policy or
        // rule set change re-checks every policy. Entries loaded from a stored version carry no
        // draft: they were checked when published, and a referenced resource cannot be deleted.
        const scopeRoutes = fullCheck ? [...resources.values()] : [...touched].map((k) => resources.get(k));
        checkSnapshot(await this.#indexOf(resources, wafTouched), {
          globalPolicies: settings.global_policies ?? [],
          routes: drafts(scopeRoutes, "routes/"),
          policies: wafTouched ? drafts(resources.values(), "policies/") : [],
        });
        if (wafTouched) sum = await this.#applyWaf(resources, sum, touched);
        if (routes === 0) throw new DomainError("NO_CONFIG", "the draft has no route to publish");
        const hash = formatContentHash(sum);
        const synced = () => {
          this.#synced = true;
          this.#draftSeen = draft.seq;
          this.#routeCount = routes;
          this.#store.forgetChanges(taken);
        };
        // The draft log stays bounded: a replica further behind compares every revision.
        if (draft.seq > DRAFT_LOG_KEPT) await this.#store.pruneDraftChanges(draft.seq - DRAFT_LOG_KEPT);
        if (prev && prev.hash === hash) {
          // Same content: keep the fresh revisions so the next publish does not re-encode.
          const commit = () => {
            if (this.#latest === prev) this.#latest = { ...prev, resources };
            synced();
          };
          return { result: { version: meta(prev), created: false }, commit };
        }
        const version = (prev?.version ?? 0) + 1;
        const created_at = new Date().toISOString();
        const createdAtMs = BigInt(Date.parse(created_at));
        // Route edits change the features only when a route uses (or used) a feature of its own.
        const featuresTouched = [...touched].some(
          (k) =>
            (!k.startsWith("routes/") && !k.startsWith("upstreams/")) ||
            (k.startsWith("routes/") &&
              (resources.get(k)?.routeFeatures !== undefined ||
                ROUTE_FEATURES.some((f) => prev?.features.includes(f)))),
        );
        const features = prev && !featuresTouched ? [...prev.features] : featuresOf(resources);
        // Stored in draft order: the hash does not depend on order and readers order by id.
        const snapshot = encodeSnapshotBytes({ version: BigInt(version), hash, createdAtMs }, resources.values());
        const touchedList = prev ? [...touched].sort() : null;
        await this.#store.insertVersion({
          version,
          hash,
          message,
          created_at,
          features,
          touched: touchedList,
          snapshot,
        });
        // The other control planes on this database load it once it is committed (NOTIFY).
        await this.#store.notifyChange("version", String(version));
        const published: PublishedVersion = {
          version,
          hash,
          message,
          created_at,
          features,
          resources,
          sum,
          bytes: bytesOf(resources),
          touched: prev ? touched : null,
          createdAtMs,
        };
        return {
          result: { version: meta(published), created: true },
          commit: synced,
          published,
          snapshotBytes: snapshot,
        };
      },
    );
    // Memory follows the database only once the version is committed.
    outcome.commit();
    const published = outcome.published;
    if (published) {
      // Compressed off the publish path (zlib's thread pool); the uncompressed row is durable already.
      const version = published.version;
      gzip(outcome.snapshotBytes!, { level: 1 }, (err, gz) => {
        if (!err) this.#store.compressVersion(version, gz).catch(() => {}); // stays uncompressed: still readable
      });
      // The previous latest stays at hand for nodes a rollout keeps on it (or rolls back to).
      const prev = this.#latest;
      if (prev) this.#catalog.set(prev.version, prev);
      this.#latest = published;
      this.#history.push({ version: published.version, hash: published.hash, touched: published.touched });
      if (this.#history.length > DELTA_HISTORY) this.#history.shift();
      for (const fn of this.#listeners) fn(published);
    }
    return outcome.result;
  }

  /**
   * What a node holding `held` (its applied version and content hash) needs to reach `target`
   * (default: the latest version): nothing, a delta, or a full update (`forceFull`, unknown
   * base, or a delta larger than half the config). A node with the target's content under
   * another number gets an empty delta (it relabels).
   * - target = latest (the common case): the delta is the union of the touched keys of the
   *   versions after the one the node holds (found by hash in the last {@link DELTA_HISTORY});
   * - any other target, older ones included (a rollout, a rollback): the node's base is found by
   *   hash (the latest, the version number it names, or the history) and the two versions'
   *   resource digests are compared key by key.
   */
  planFor(
    held: { version: number; hash: string },
    forceFull = false,
    target: PublishedVersion | undefined = this.#latest,
  ): UpdatePlan {
    if (!target) return { kind: "none" };
    if (!forceFull && held.hash !== "") {
      if (held.hash === target.hash)
        return held.version === target.version
          ? { kind: "none" }
          : { kind: "delta", baseVersion: held.version, baseHash: held.hash, changed: [], removed: [] };
      const delta = target === this.#latest ? this.#deltaToLatest(held, target) : this.#deltaTo(held, target);
      if (delta) return delta;
    }
    return { kind: "full", resources: this.#fullList(target) };
  }

  /** A delta to `target` by comparing digests with the node's base; undefined: base unknown or delta too large. */
  #deltaTo(held: { version: number; hash: string }, target: PublishedVersion): UpdatePlan | undefined {
    const base = this.#baseFor(held);
    if (!base) return undefined;
    const changed: Resource[] = [];
    const removed: { field: number; id: string }[] = [];
    const limit = target.bytes / 2;
    let bytes = 0;
    for (const [key, e] of target.resources)
      if (base.resources.get(key)?.digest !== e.digest) {
        changed.push(create(ResourceSchema, { field: e.field, body: e.body }));
        bytes += e.body.length;
        if (bytes > limit) return undefined;
      }
    for (const [key, e] of base.resources) if (!target.resources.has(key)) removed.push({ field: e.field, id: e.id });
    return { kind: "delta", baseVersion: base.version, baseHash: held.hash, changed, removed };
  }

  /** A published version with the content the node holds, if the control plane knows it. */
  #baseFor(held: { version: number; hash: string }): PublishedVersion | undefined {
    if (this.#latest?.hash === held.hash) return this.#latest;
    if (held.version > 0) {
      const named = this.cached(held.version);
      if (named?.hash === held.hash) return named;
    }
    for (let i = this.#history.length - 1; i >= 0; i--)
      if (this.#history[i]!.hash === held.hash) return this.cached(this.#history[i]!.version);
    return undefined;
  }

  /**
   * A delta to the latest version: the touched keys of the versions after the node's (found by
   * hash in the history). undefined: not in the history, a version without touched keys, or the
   * delta would carry more than half the config's bytes.
   */
  #deltaToLatest(held: { version: number; hash: string }, latest: PublishedVersion): UpdatePlan | undefined {
    // The most recent history entry with the node's content, then every version after it.
    let i = this.#history.length - 1;
    while (i >= 0 && this.#history[i]!.hash !== held.hash) i--;
    if (i < 0) return undefined;
    const keys = new Set<string>();
    for (let j = i + 1; j < this.#history.length; j++) {
      const t = this.#history[j]!.touched;
      if (t === null) return undefined;
      for (const k of t) keys.add(k);
    }
    // Sent whole when the delta would carry more than half the config's bytes (not its resource
    // count: a large unchanged resource, a WAF rule set, must not be resent for small edits).
    const limit = latest.bytes / 2;
    const changed: Resource[] = [];
    const removed: { field: number; id: string }[] = [];
    let bytes = 0;
    for (const key of keys) {
      const e = latest.resources.get(key);
      if (e) {
        bytes += e.body.length;
        if (bytes > limit) return undefined;
        changed.push(create(ResourceSchema, { field: e.field, body: e.body }));
      } else removed.push(refOf(key));
    }
    return { kind: "delta", baseVersion: this.#history[i]!.version, baseHash: held.hash, changed, removed };
  }

  #fullList(v: PublishedVersion): readonly Resource[] {
    if (v !== this.#latest)
      return [...v.resources.values()].map((e) => create(ResourceSchema, { field: e.field, body: e.body }));
    if (this.#fullResources?.version !== v.version) {
      const list = [...v.resources.values()].map((e) => create(ResourceSchema, { field: e.field, body: e.body }));
      this.#fullResources = { version: v.version, list };
    }
    return this.#fullResources.list;
  }

  /**
   * Puts the draft's settings into `resources` as the `settings/global` resource (absent for the
   * defaults), updating the digest sum and `touched`.
   * @returns the new digest sum
   */
  #applySettings(
    draft: DraftSettings,
    resources: Map<string, ResourceEntry>,
    sum: bigint,
    touched: Set<string>,
  ): bigint {
    const message = settingsResource(draft);
    return putSingleton(resources, sum, touched, "settings", message && toBinary(SnapshotSettingsSchema, message));
  }

  /**
   * The draft index of the version being built (`resources`), for the consistency check; the rule
   * sets its waf policies name are looked up in the store when `withRuleSets`.
   */
  async #indexOf(resources: ReadonlyMap<string, ResourceEntry>, withRuleSets: boolean): Promise<DraftIndex> {
    const ruleSets = new Set<string>();
    if (withRuleSets)
      for (const e of resources.values()) {
        const id = e.policyType === "waf" && e.draft ? wafRefs(e.draft)?.ruleSet : undefined;
        if (id !== undefined && !ruleSets.has(id) && (await this.#store.getResource("rule-sets", id))) ruleSets.add(id);
      }
    return {
      hasUpstream: (id) => resources.has(`upstreams/${id}`),
      hasPolicy: (id) => resources.has(`policies/${id}`),
      policyType: (id) => resources.get(`policies/${id}`)?.policyType,
      hasRoute: (id) => resources.has(`routes/${id}`),
      hasRuleSet: (id) => ruleSets.has(id),
    };
  }

  /**
   * Puts the draft's anomaly-detection config into `resources` as `anomaly/global` (absent when
   * detection is off), checked as every node will take it (`new Thresholds`, `new Enforcement`).
   * @returns the new digest sum
   * @throws DomainError VALIDATION_FAILED naming `anomaly.<field>` (a bad threshold)
   */
  async #applyAnomaly(resources: Map<string, ResourceEntry>, sum: bigint, touched: Set<string>): Promise<bigint> {
    const message = anomalyResource((await this.#store.getSettings("anomaly")) as DraftAnomaly);
    return putSingleton(resources, sum, touched, "anomaly", message && toBinary(AnomalySettingsSchema, message));
  }

  /**
   * Puts the draft's telemetry config into `resources` as the `telemetry/global` resource (absent
   * when nothing is set), checked as every node will take it (`checkTelemetrySettings`).
   * @returns the new digest sum
   * @throws DomainError VALIDATION_FAILED naming `telemetry.<field>`
   */
  async #applyTelemetry(resources: Map<string, ResourceEntry>, sum: bigint, touched: Set<string>): Promise<bigint> {
    const message = telemetryResource((await this.#store.getSettings("telemetry")) as DraftTelemetry, "telemetry");
    return putSingleton(resources, sum, touched, "telemetry", message && toBinary(TelemetrySettingsSchema, message));
  }

  /**
   * Puts the rule sets the version's waf policies reference into `resources` (`rule_sets/<id>`,
   * Snapshot field 12), each re-encoded only when its draft revision changed, and removes those
   * no policy references any more; then compiles every waf policy with its rule set and settings
   * (cached by content hash and settings; its references were checked by `checkSnapshot`). An unchanged rule set keeps its digest, so it is never in `touched` and never in
   * a delta.
   * @returns the new digest sum
   * @throws DomainError RULE_SET_INVALID / VALIDATION_FAILED naming `policies.<name>.config…`
   */
  async #applyWaf(resources: Map<string, ResourceEntry>, sum: bigint, touched: Set<string>): Promise<bigint> {
    const field = resourceKindByName("rule_sets").field;
    const used = new Set<string>();
    for (const e of resources.values()) {
      if (e.policyType !== "waf" || !e.draft) continue;
      const policy = e.draft;
      await checkWafPolicy(policy, this.#store);
      used.add(wafRefs(policy)!.ruleSet);
    }
    for (const id of used) {
      const key = `rule_sets/${id}`;
      const row = (await this.#store.getResourceWithRevision("rule-sets", id))!;
      const old = resources.get(key);
      if (old && old.rev === row.rev) continue;
      const body = toBinary(resourceKindByName("rule_sets").schema, toRuleSet(row));
      const digest = resourceDigest(field, body);
      resources.set(key, { key, field, id, body, digest, rev: row.rev });
      if (old?.digest === digest) continue;
      if (old) sum = removeDigest(sum, old.digest);
      sum = addDigest(sum, digest);
      touched.add(key);
    }
    for (const [key, e] of resources)
      if (e.field === field && !used.has(e.id)) {
        resources.delete(key);
        sum = removeDigest(sum, e.digest);
        touched.add(key);
      }
    return sum;
  }

  /** @param credentials the resource's credentials when already read (consumers); read here otherwise */
  async #encode(
    kind: DraftKind,
    r: StoredResource & { rev: number },
    credentials?: readonly StoredCredential[],
  ): Promise<ResourceEntry> {
    const id = r.id;
    const creds = kind.withCredentials ? (credentials ?? (await this.#store.listCredentials(id))) : [];
    const message = kind.toMessage(r, creds);
    const info = resourceKind(kind.field)!;
    const body = toBinary(info.schema, message);
    const entry: ResourceEntry = {
      key: `${kind.kind}/${id}`,
      field: kind.field,
      id,
      body,
      digest: resourceDigest(kind.field, body),
      rev: r.rev,
      draft: r,
      ...(kind.kind === "policies" ? { policyType: r.body.type as string } : {}),
      ...(kind.kind === "routes" ? routeFeaturesOf(r.body) : {}),
    };
    return entry;
  }
}

function decodeVersion(row: StoredVersion): PublishedVersion {
  const decoded = decodeSnapshotBytes(row.snapshot);
  const resources = new Map<string, ResourceEntry>();
  let sum = 0n;
  let bytes = 0;
  for (const r of decoded.resources) {
    const kind = resourceKind(r.field);
    const key = `${kind?.name ?? `field${r.field}`}/${r.id}`;
    const digest = resourceDigest(r.field, r.body);
    sum = addDigest(sum, digest);
    bytes += r.body.length;
    resources.set(key, { key, field: r.field, id: r.id, body: r.body, digest, rev: -1 });
  }
  return {
    version: row.version,
    hash: row.hash,
    message: row.message,
    created_at: row.created_at,
    features: row.features,
    resources,
    sum,
    bytes,
    touched: row.touched ? new Set(row.touched) : null,
    createdAtMs: BigInt(Date.parse(row.created_at)),
  };
}

/** The resource kind of a `Snapshot` field by its .proto name. */
function resourceKindByName(name: string): (typeof RESOURCE_KINDS)[number] {
  const k = RESOURCE_KINDS.find((x) => x.name === name);
  if (!k) throw new RangeError(`no Snapshot resource field "${name}"`);
  return k;
}

/** The drafts of the entries among `entries` whose key starts with `prefix` (entries loaded from a stored version have none). */
function drafts(entries: Iterable<ResourceEntry | undefined>, prefix: string): StoredResource[] {
  const out: StoredResource[] = [];
  for (const e of entries) if (e?.draft && e.key.startsWith(prefix)) out.push(e.draft);
  return out;
}

/** Encoded bytes of all resources of a version. */
function bytesOf(resources: ReadonlyMap<string, ResourceEntry>): number {
  let n = 0;
  for (const e of resources.values()) n += e.body.length;
  return n;
}

/**
 * Puts a singleton resource (`<kind>/global`) into `resources`, or removes it when `body` is
 * undefined (the defaults), updating the digest sum and `touched`.
 * @returns the new digest sum
 */
function putSingleton(
  resources: Map<string, ResourceEntry>,
  sum: bigint,
  touched: Set<string>,
  kind: "settings" | "telemetry" | "anomaly",
  body: Uint8Array | undefined,
): bigint {
  const key = `${kind}/global`;
  const old = resources.get(key);
  if (!body) {
    if (!old) return sum;
    resources.delete(key);
    touched.add(key);
    return removeDigest(sum, old.digest);
  }
  const field = resourceKindByName(kind).field;
  const digest = resourceDigest(field, body);
  if (old?.digest === digest) return sum;
  resources.set(key, { key, field, id: "global", body, digest, rev: -1 });
  touched.add(key);
  return addDigest(old ? removeDigest(sum, old.digest) : sum, digest);
}

/**
 * Features of a version's routes (issue 22), which a node must announce to be sent it (else it
 * shows as blocked): `route-matchers` for a route matching on headers, query parameters,
 * cookies, a regex or a template path (a node without it would ignore them and route more
 * broadly, skipping the policies of the route meant for the request), `route-actions` for a
 * redirect or direct_response (a node without it would refuse the route: no upstream).
 */
export const ROUTE_FEATURES = ["route-matchers", "route-actions"] as const;

/** The `routeFeatures` of a route body's entry (none: no member). */
function routeFeaturesOf(body: Record<string, unknown>): { routeFeatures?: readonly string[] } {
  const out: string[] = [];
  if (usesRouteMatchers(body)) out.push("route-matchers");
  if (body.redirect !== undefined || body.direct_response !== undefined) out.push("route-actions");
  return out.length > 0 ? { routeFeatures: out } : {};
}

/** Features a version needs: the policy types it uses, route features and any non-core resource kind it fills. */
function featuresOf(resources: ReadonlyMap<string, ResourceEntry>): string[] {
  const out = new Set<string>();
  for (const e of resources.values()) {
    if (e.policyType) out.add(e.policyType);
    for (const f of e.routeFeatures ?? []) out.add(f);
    const kind = e.key.slice(0, e.key.indexOf("/"));
    if (!CORE_KINDS.has(kind)) out.add(kind);
  }
  return [...out].sort();
}

function refOf(key: string): { field: number; id: string } {
  const slash = key.indexOf("/");
  const kind = key.slice(0, slash);
  const info = RESOURCE_KINDS.find((k) => k.name === kind);
  return { field: info?.field ?? 0, id: key.slice(slash + 1) };
}

function meta(row: VersionRow): VersionRow {
  return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at };
}
