import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type Snapshot, SnapshotSchema } from "@palisade/proto";
import { ApiError } from "../errors.js";
import type { Store, VersionRow } from "../store/store.js";
import { buildSnapshot, type DraftConfig } from "./snapshot.js";

/**
 * Everything of the store that goes into a version, read as the next publish would read it.
 * Used by publish and by `GET /v1/config/draft`, so the two can never see different drafts.
 */
export function readDraft(store: Store): DraftConfig {
  return {
    upstreams: store.listResources("upstreams"),
    routes: store.listResources("routes"),
    policies: store.listResources("policies"),
    consumers: store.listResources("consumers"),
    credentials: store.listCredentials(),
    certificates: store.listResources("certificates"),
    settings: store.getSettings(),
  };
}

/** A published version as the sync server hands it out. */
export interface PublishedVersion extends VersionRow {
  snapshot: Snapshot;
}

/** Result of a publish: the version, and whether publishing created it. */
export interface PublishResult {
  version: VersionRow;
  created: boolean;
}

/**
 * Turns the draft config into immutable, numbered versions. Publishing an
 * unchanged draft (same content hash as the latest version) creates nothing.
 */
export class Publisher {
  readonly #store: Store;
  readonly #listeners = new Set<(v: PublishedVersion) => void>();
  #latest: PublishedVersion | undefined;

  constructor(store: Store) {
    this.#store = store;
    const row = store.latestVersion();
    this.#latest = row ? decode(row) : undefined;
  }

  /** The latest published version, decoded once and shared (treat as immutable). */
  latest(): PublishedVersion | undefined {
    return this.#latest;
  }

  /** Calls `fn` after each new version is committed. */
  onPublish(fn: (v: PublishedVersion) => void): void {
    this.#listeners.add(fn);
  }

  /**
   * Validates the whole draft, then stores it as the next version in one transaction.
   * @throws ApiError REFERENCE_NOT_FOUND for a dangling reference; NO_CONFIG when the draft has no route.
   */
  publish(message: string): PublishResult {
    const outcome = this.#store.transaction((): PublishResult & { snapshot?: Snapshot } => {
      const draft = readDraft(this.#store);
      if (draft.routes.length === 0) throw new ApiError("NO_CONFIG", "the draft has no route to publish");
      const { snapshot, hash } = buildSnapshot(draft);
      const latest = this.#store.latestVersion();
      if (latest && latest.hash === hash) return { version: meta(latest), created: false };
      const version = this.#store.nextVersionNumber();
      const created_at = new Date().toISOString();
      const full = create(SnapshotSchema, {
        ...snapshot,
        version: BigInt(version),
        createdAtMs: BigInt(Date.parse(created_at)),
      });
      this.#store.insertVersion({ version, hash, message, created_at, snapshot: toBinary(SnapshotSchema, full) });
      return { version: { version, hash, message, created_at }, created: true, snapshot: full };
    });
    if (outcome.snapshot) {
      const published = { ...outcome.version, snapshot: outcome.snapshot };
      this.#latest = published;
      for (const fn of this.#listeners) fn(published);
    }
    return { version: outcome.version, created: outcome.created };
  }
}

function meta(row: VersionRow): VersionRow {
  return { version: row.version, hash: row.hash, message: row.message, created_at: row.created_at };
}

function decode(row: VersionRow & { snapshot: Buffer }): PublishedVersion {
  return { ...meta(row), snapshot: fromBinary(SnapshotSchema, row.snapshot) };
}
