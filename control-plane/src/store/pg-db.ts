import pg from "pg";
import {
  currentTx,
  inSavepoint,
  RECONNECTED,
  type SqlDb,
  type SqlValue,
  StoreUnavailableError,
  type TxContext,
  txStorage,
} from "./sql-db.js";

/**
 * SQLSTATE classes and codes that mean the server cannot serve now (PostgreSQL manual, Appendix A):
 * 08 connection exception, 57P01-57P03 shutdown / cannot connect now, 53 insufficient resources,
 * 25006 read-only transaction (a standby, or `default_transaction_read_only`), 40P01 deadlock is
 * not one of them (a retry is the caller's business).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[123]$|25006$)/;
/** Socket-level errors of the driver. */
const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);
/** Driver errors without a code (node-postgres words them so). */
const UNAVAILABLE_TEXT =
  /Connection terminated|timeout exceeded when trying to connect|Client was closed|not queryable/i;

/** How the PostgreSQL backend connects; defaults suit a control plane (a few connections, fail fast). */
export interface PgDbOptions {
  /** Connections in the pool (default 10). */
  readonly max?: number;
  /** How long a query waits for a connection before the store is unavailable, ms (default 5,000). */
  readonly connectTimeoutMs?: number;
  /** Called with errors of idle connections (the server went away); they are not thrown anywhere else. */
  readonly onIdleError?: (err: Error) => void;
}

/** int8 (count, bigint ids) as a JS number: ids and versions stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The PostgreSQL backend (`--database-url postgres://…`): a `pg` pool. A transaction takes one
 * connection for its whole flow; other flows use the pool meanwhile. `?` placeholders become
 * `$1…$n` (cached per statement text).
 */
export class PgDb implements SqlDb {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #texts = new Map<string, string>();
  readonly #url: string;
  readonly #connectTimeoutMs: number;

  /** Opens a pool on `url` (nothing connects until the first query). */
  constructor(url: string, opts: PgDbOptions = {}) {
    this.#url = url;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      types,
    });
    // Without a listener an idle connection's error (server restarted) would end the process.
    this.#pool.on("error", (err) => opts.onIdleError?.(err));
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.#query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.#query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.#query(sql, params)).rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    // A query without parameters may hold several statements (the simple query protocol).
    const tx = currentTx<pg.PoolClient>(this);
    try {
      await (tx ? tx.conn : this.#pool).query(sql);
    } catch (err) {
      throw mapError(err);
    }
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = currentTx<pg.PoolClient>(this);
    if (outer) return inSavepoint(outer, (sql) => this.#on(outer.conn, sql), fn);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw mapError(err);
    }
    const tx: TxContext<pg.PoolClient> = { db: this, conn: client, open: true, savepoints: 0 };
    let broken: unknown;
    try {
      await this.#on(client, "BEGIN");
      const out = await txStorage.run(tx, fn);
      await this.#on(client, "COMMIT");
      return out;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch (e) {
        broken = e; // the connection is gone: the server rolls back by itself
      }
      throw err;
    } finally {
      tx.open = false;
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async lockInTransaction(key: number, mode: "exclusive" | "shared" = "exclusive"): Promise<void> {
    const tx = currentTx<pg.PoolClient>(this);
    if (!tx) throw new Error("lockInTransaction outside a transaction");
    const fn = mode === "shared" ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock";
    await this.#on(tx.conn, `SELECT ${fn}(${Math.trunc(key)})`);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.#query("SELECT pg_notify(?, ?)", [channel, payload]);
  }

  async listen(
    channels: readonly string[],
    fn: (channel: string, payload: string) => void,
  ): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    // Its own connection, outside the pool: a LISTEN lasts as long as the session.
    const open = async (again: boolean): Promise<void> => {
      const c = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: this.#connectTimeoutMs });
      c.on("notification", (n) => fn(n.channel, n.payload ?? ""));
      c.on("error", () => lost(c));
      c.on("end", () => lost(c));
      await c.connect();
      for (const ch of channels) await c.query(`LISTEN ${pg.escapeIdentifier(ch)}`);
      if (stopped) {
        await c.end();
        return;
      }
      client = c;
      if (again) fn("", RECONNECTED);
    };
    const lost = (c: pg.Client) => {
      if (stopped || client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      schedule();
    };
    const schedule = () => {
      retry = setTimeout(() => {
        open(true).catch(() => schedule());
      }, 1000);
      retry.unref();
    };
    try {
      await open(false);
    } catch (err) {
      throw mapError(err);
    }
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #on(client: pg.PoolClient, sql: string): Promise<void> {
    try {
      await client.query(sql);
    } catch (err) {
      throw mapError(err);
    }
  }

  async #query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    let text = this.#texts.get(sql);
    if (text === undefined) {
      text = numberPlaceholders(sql);
      this.#texts.set(sql, text);
    }
    const tx = currentTx<pg.PoolClient>(this);
    try {
      return await (tx ? tx.conn : this.#pool).query(text, params as unknown[]);
    } catch (err) {
      throw mapError(err);
    }
  }
}

/** `?` → `$1, $2…`, leaving quoted strings and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (const c of sql) {
    if (quote) {
      if (c === quote) quote = undefined;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === "?") out += `$${++n}`;
    else out += c;
  }
  return out;
}

/** A driver error as the store throws it: {@link StoreUnavailableError} when the server cannot serve now. */
function mapError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return new StoreUnavailableError(code, err);
  if (err instanceof Error && UNAVAILABLE_TEXT.test(err.message)) return new StoreUnavailableError("connection", err);
  if (
    err instanceof AggregateError &&
    err.errors.some((e) => UNAVAILABLE_ERRNO.has((e as { code?: string }).code ?? ""))
  )
    return new StoreUnavailableError("ECONNREFUSED", err);
  return err;
}
