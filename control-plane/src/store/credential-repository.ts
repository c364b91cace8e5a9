import type { ResourceRepository } from "./resource-repository.js";
import type { SqlDb } from "./sql-db.js";

/** One stored consumer credential. `body` holds the type's fields (an API key's hash, never the key). */
export interface StoredCredential {
  id: string;
  consumer_id: string;
  type: string;
  body: Record<string, unknown>;
  created_at: string;
}

/**
 * SQL of consumer credentials. A credential is part of its consumer's snapshot resource, so each
 * write bumps the consumer's revision (the next publish re-encodes it).
 */
export class CredentialRepository {
  readonly #db: SqlDb;
  readonly #resources: ResourceRepository;

  constructor(db: SqlDb, resources: ResourceRepository) {
    this.#db = db;
    this.#resources = resources;
  }

  /** Credentials of one consumer (oldest first), or of every consumer when `consumerId` is omitted. */
  async listCredentials(consumerId?: string): Promise<StoredCredential[]> {
    const rows = await (consumerId === undefined
      ? this.#db.all<Omit<StoredCredential, "body"> & { body: string }>(
          "SELECT id, consumer_id, type, body, created_at FROM credentials ORDER BY created_at, id",
        )
      : this.#db.all<Omit<StoredCredential, "body"> & { body: string }>(
          "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? ORDER BY created_at, id",
          [consumerId],
        ));
    return rows.map((r) => ({ ...r, body: JSON.parse(r.body) }));
  }

  async getCredential(consumerId: string, id: string): Promise<StoredCredential | undefined> {
    const r = await this.#db.get<Omit<StoredCredential, "body"> & { body: string }>(
      "SELECT id, consumer_id, type, body, created_at FROM credentials WHERE consumer_id = ? AND id = ?",
      [consumerId, id],
    );
    return r ? { ...r, body: JSON.parse(r.body) } : undefined;
  }

  /** Whether a credential with this canonical identity exists (any consumer). */
  async credentialIdentityTaken(identity: string): Promise<boolean> {
    return (await this.#db.get("SELECT 1 AS x FROM credentials WHERE identity = ?", [identity])) !== undefined;
  }

  /** Adds a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  async insertCredential(c: StoredCredential, identity: string): Promise<void> {
    await this.#db.transaction(async () => {
      await this.#db.run(
        "INSERT INTO credentials (id, consumer_id, type, body, identity, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [c.id, c.consumer_id, c.type, JSON.stringify(c.body), identity, c.created_at],
      );
      await this.#resources.touchConsumer(c.consumer_id);
    });
  }

  /** Removes a credential; its consumer's revision is bumped so the next publish re-encodes it. */
  async deleteCredential(consumerId: string, id: string): Promise<boolean> {
    return this.#db.transaction(async () => {
      const gone =
        (await this.#db.run("DELETE FROM credentials WHERE consumer_id = ? AND id = ?", [consumerId, id])) > 0;
      if (gone) await this.#resources.touchConsumer(consumerId);
      return gone;
    });
  }
}
