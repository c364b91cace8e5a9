import type { DraftLog } from "./draft-log.js";
import type { SqlDb } from "./sql-db.js";

/** Kinds of draft config resource the store holds. */
export type ResourceKind = "upstreams" | "routes" | "policies" | "consumers" | "certificates" | "rule-sets";

/** One stored draft resource. `body` is the resource's own fields (no id/name/timestamps). */
export interface StoredResource {
  id: string;
  name: string;
  body: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** Singleton draft resources: snapshot-wide settings (`/v1/settings`) and telemetry (`/v1/telemetry`). */
export type SettingsKind = "settings" | "telemetry" | "anomaly";

const now = (): string => new Date().toISOString();

/**
 * SQL of the draft resources (upstreams, routes, policies, consumers, certificates, rule sets:
 * one `resources` table, one JSON body per row, a revision bumped on every update) and of the
 * singleton draft resources (settings, telemetry, anomaly detection). Every write is noted in the
 * draft log (draft-log.ts) for the publisher.
 */
export class ResourceRepository {
  readonly #db: SqlDb;
  readonly #log: DraftLog;

  constructor(db: SqlDb, log: DraftLog) {
    this.#db = db;
    this.#log = log;
  }

  async listResources(kind: ResourceKind): Promise<StoredResource[]> {
    const rows = await this.#db.all<Omit<StoredResource, "body"> & { body: string }>(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? ORDER BY name",
      [kind],
    );
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  /** Finds a resource by id or by name. */
  async getResource(kind: ResourceKind, idOrName: string): Promise<StoredResource | undefined> {
    const r = await this.#db.get<Omit<StoredResource, "body"> & { body: string }>(
      "SELECT id, name, body, created_at, updated_at FROM resources WHERE kind = ? AND (id = ? OR name = ?) LIMIT 1",
      [kind, idOrName, idOrName],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether another resource of `kind` already uses `name`. */
  async nameTaken(kind: ResourceKind, name: string, exceptId?: string): Promise<boolean> {
    return (
      (await this.#db.get("SELECT 1 AS x FROM resources WHERE kind = ? AND name = ? AND id != ?", [
        kind,
        name,
        exceptId ?? "",
      ])) !== undefined
    );
  }

  async insertResource(
    kind: ResourceKind,
    id: string,
    name: string,
    body: Record<string, unknown>,
  ): Promise<StoredResource> {
    const t = now();
    await this.#log.write(`${kind}/${id}`, () =>
      this.#db.run("INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", [
        kind,
        id,
        name,
        JSON.stringify(body),
        t,
        t,
      ]),
    );
    return { id, name, body, created_at: t, updated_at: t };
  }

  async updateResource(kind: ResourceKind, id: string, name: string, body: Record<string, unknown>): Promise<void> {
    await this.#log.write(`${kind}/${id}`, () =>
      this.#db.run("UPDATE resources SET name = ?, body = ?, updated_at = ?, rev = rev + 1 WHERE kind = ? AND id = ?", [
        name,
        JSON.stringify(body),
        now(),
        kind,
        id,
      ]),
    );
  }

  /** Deletes a resource; a consumer takes its credentials with it. */
  async deleteResource(kind: ResourceKind, id: string): Promise<boolean> {
    return this.#log.write(`${kind}/${id}`, () =>
      this.#db.transaction(async () => {
        if (kind === "consumers") await this.#db.run("DELETE FROM credentials WHERE consumer_id = ?", [id]);
        return (await this.#db.run("DELETE FROM resources WHERE kind = ? AND id = ?", [kind, id])) > 0;
      }),
    );
  }

  /** Every draft resource's kind, id and revision (bumped on each update): what changed since a publish. */
  listResourceRevisions(): Promise<Array<{ kind: ResourceKind; id: string; rev: number }>> {
    return this.#db.all("SELECT kind, id, rev FROM resources");
  }

  /** One draft resource by id, with its revision. */
  async getResourceWithRevision(
    kind: ResourceKind,
    id: string,
  ): Promise<(StoredResource & { rev: number }) | undefined> {
    const r = await this.#db.get<Omit<StoredResource, "body"> & { body: string; rev: number }>(
      "SELECT id, name, body, created_at, updated_at, rev FROM resources WHERE kind = ? AND id = ?",
      [kind, id],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /**
   * Draft resources by `kind/id` key, with their revisions, read in a few statements (500 ids
   * each) rather than one per resource: a full publish reads thousands.
   * @returns the found ones by key (a key deleted meanwhile is absent)
   */
  async getResourcesWithRevision(
    keys: ReadonlyArray<{ kind: ResourceKind; id: string }>,
  ): Promise<Map<string, StoredResource & { rev: number }>> {
    const byKind = new Map<ResourceKind, string[]>();
    for (const k of keys) {
      const ids = byKind.get(k.kind) ?? [];
      ids.push(k.id);
      byKind.set(k.kind, ids);
    }
    const out = new Map<string, StoredResource & { rev: number }>();
    for (const [kind, ids] of byKind)
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await this.#db.all<Omit<StoredResource, "body"> & { body: string; rev: number }>(
          `SELECT id, name, body, created_at, updated_at, rev FROM resources WHERE kind = ? AND id IN (${chunk.map(() => "?").join(", ")})`,
          [kind, ...chunk],
        );
        for (const r of rows) out.set(`${kind}/${r.id}`, { ...r, body: JSON.parse(r.body) });
      }
    return out;
  }

  // --- settings (a singleton draft resource) -----------------------------------

  /**
   * The draft's snapshot-wide settings (`{}` until set). Kept in the resources table under kind
   * `settings` (no migration needed), so they travel with the draft like any other resource.
   */
  async getSettings(kind: SettingsKind = "settings"): Promise<Record<string, unknown>> {
    const r = await this.#db.get<{ body: string }>("SELECT body FROM resources WHERE kind = ? AND id = 'global'", [
      kind,
    ]);
    return r ? JSON.parse(r.body) : {};
  }

  /** Replaces the draft's settings (or the telemetry config, kind `telemetry`). */
  async putSettings(body: Record<string, unknown>, kind: SettingsKind = "settings"): Promise<void> {
    const t = now();
    await this.#db.run(
      `INSERT INTO resources (kind, id, name, body, created_at, updated_at) VALUES (?, 'global', 'global', ?, ?, ?)
       ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [kind, JSON.stringify(body), t, t],
    );
  }

  /** A consumer's credentials are part of its snapshot resource: a credential write changes it. */
  async touchConsumer(consumerId: string): Promise<void> {
    await this.#log.write(`consumers/${consumerId}`, () =>
      this.#db.run("UPDATE resources SET rev = rev + 1 WHERE kind = 'consumers' AND id = ?", [consumerId]),
    );
  }
}
