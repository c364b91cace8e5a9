import type { SqlDb } from "./sql-db.js";

/** One audit log entry: who changed what through the admin API, with the state before and after. */
export interface AuditEntry {
  id: number;
  /** ISO 8601 time the change was answered. */
  at: string;
  /** Which admin token made it (never the token itself). */
  actor: { id: string; label: string; fingerprint: string; role?: string | null };
  /** `ui` when the web admin sent it (its own statement), otherwise `api`. */
  source: string;
  method: string;
  /** Request path (no query string). */
  path: string;
  /** Resource kind: the route's fixed segments after `/v1/` (`routes`, `config/versions`, `rollouts/pause`). */
  kind: string;
  resource_id: string | null;
  resource_name: string | null;
  /** HTTP status answered. */
  status: number;
  /** The resource as the API showed it before the change (secrets redacted), or null. */
  before: unknown;
  /** The API's answer to the change (secrets redacted), or null (e.g. after a delete). */
  after: unknown;
}

/** Filters of `listAudit`; every one optional. */
export interface AuditQuery {
  /** Kind, or a parent kind: `rollouts` matches `rollouts` and `rollouts/pause`. */
  kind?: string;
  /** Resource id or name. */
  resource?: string;
  /** Actor id (`env`, `1`). */
  actor?: string;
  /** Inclusive lower bound, ISO 8601. */
  since?: string;
  /** Exclusive upper bound, ISO 8601. */
  until?: string;
  /** Only entries with an id below this (the cursor of the next page). */
  beforeId?: number;
  /** At most this many, newest first. */
  limit: number;
}

/** SQL of the audit log: one row per change made through the admin API (api/audit.ts writes them). */
export class AuditRepository {
  readonly #db: SqlDb;

  constructor(db: SqlDb) {
    this.#db = db;
  }

  /** Appends one audit entry (`before`/`after` already redacted, stored as JSON); returns its id. */
  async insertAudit(e: Omit<AuditEntry, "id">): Promise<number> {
    const r = await this.#db.get<{ id: number }>(
      `INSERT INTO audit_log (at, actor_id, actor_label, actor_fingerprint, actor_role, source, method, path, kind,
         resource_id, resource_name, status, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        e.at,
        e.actor.id,
        e.actor.label,
        e.actor.fingerprint,
        e.actor.role ?? null,
        e.source,
        e.method,
        e.path,
        e.kind,
        e.resource_id,
        e.resource_name,
        e.status,
        e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
        e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
      ],
    );
    return Number(r!.id);
  }

  /** Audit entries matching `q`, newest first. */
  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.kind) {
      where.push("(kind = ? OR kind LIKE ? ESCAPE '\\')");
      args.push(q.kind, `${q.kind.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
    }
    if (q.resource) {
      where.push("(resource_id = ? OR resource_name = ?)");
      args.push(q.resource, q.resource);
    }
    if (q.actor) {
      where.push("actor_id = ?");
      args.push(q.actor);
    }
    if (q.since) {
      where.push("at >= ?");
      args.push(q.since);
    }
    if (q.until) {
      where.push("at < ?");
      args.push(q.until);
    }
    if (q.beforeId !== undefined) {
      where.push("id < ?");
      args.push(q.beforeId);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    const rows = await this.#db.all<RawAudit>(sql, [...args, q.limit]);
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { id: r.actor_id, label: r.actor_label, fingerprint: r.actor_fingerprint, role: r.actor_role },
      source: r.source,
      method: r.method,
      path: r.path,
      kind: r.kind,
      resource_id: r.resource_id,
      resource_name: r.resource_name,
      status: r.status,
      before: r.before === null ? null : JSON.parse(r.before),
      after: r.after === null ? null : JSON.parse(r.after),
    }));
  }
}

interface RawAudit {
  id: number;
  at: string;
  actor_id: string;
  actor_label: string;
  actor_fingerprint: string;
  actor_role: string | null;
  source: string;
  method: string;
  path: string;
  kind: string;
  resource_id: string | null;
  resource_name: string | null;
  status: number;
  before: string | null;
  after: string | null;
}
