import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { LimitDecision, LimiterStore, LimitSpec } from "./limiter-store.js";

/**
 * Cluster-wide rate limits in a real Redis: the same fixed windows as the memory store, counted
 * by one Lua script per decision (atomic: Redis runs scripts one at a time, so nodes sharing a
 * Redis admit exactly N per window between them). The script reads every window of the key,
 * refuses if any is full (spending nothing), else INCRs each and sets PEXPIRE on a window's
 * first hit. Keys are `<prefix>{<key>}:<window ms>`: the hash tag keeps a key's windows in one
 * Redis Cluster slot.
 *
 * Never hangs: the client runs without an offline queue (a command while disconnected fails at
 * once), with `commandTimeout`, no per-command retries, and reconnects in the background with
 * capped backoff. The policy's `failure_mode` decides what a failure means (admit or 503).
 */

const SCRIPT = `
local n = #KEYS
local counts = {}
local ttls = {}
for i = 1, n do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  local t = -2
  if c > 0 then
    t = redis.call('PTTL', KEYS[i])
    if t == -1 then
      redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
      t = tonumber(ARGV[2 * i])
    end
  end
  counts[i] = c
  ttls[i] = t
end
local deny = 0
for i = 1, n do
  if counts[i] >= tonumber(ARGV[2 * i - 1]) then
    if deny == 0 or ttls[i] > ttls[deny] then deny = i end
  end
end
if deny > 0 then return {0, deny, counts[deny], ttls[deny]} end
local out = {1}
for i = 1, n do
  local c = redis.call('INCR', KEYS[i])
  local t
  if c == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
    t = tonumber(ARGV[2 * i])
  else
    t = redis.call('PTTL', KEYS[i])
    if t < 0 then
      redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
      t = tonumber(ARGV[2 * i])
    end
  end
  out[#out + 1] = c
  out[#out + 1] = t
end
return out
`;

/** How to reach one Redis. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly database: number;
}

/** Thrown when Redis cannot answer (down, slow, or a script error). */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
  readonly code = "REDIS_UNAVAILABLE";
}

type ScriptClient = Redis & { palisadeRateLimit(numKeys: number, ...args: (string | number)[]): Promise<number[]> };

/**
 * One Redis connection shared by every policy that names the same Redis (held by the node's
 * policy resources across config versions). Connects on first use, never at compile time.
 */
export class RedisConnection {
  readonly client: ScriptClient;
  #warn: (fields: Record<string, unknown>, msg: string) => void;
  #lastWarn = 0;
  readonly target: RedisTarget;

  constructor(target: RedisTarget, warn: (fields: Record<string, unknown>, msg: string) => void) {
    this.target = target;
    this.#warn = warn;
    const client = new Redis({
      host: target.host,
      port: target.port,
      ...(target.username !== "" ? { username: target.username } : {}),
      ...(target.password !== "" ? { password: target.password } : {}),
      db: target.database,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      enableAutoPipelining: true,
    });
    client.defineCommand("palisadeRateLimit", { lua: SCRIPT });
    // An unhandled 'error' would crash the node; failures are answered per request instead.
    client.on("error", (err: Error) => this.#warnThrottled(err));
    this.client = client as ScriptClient;
  }

  #warnThrottled(err: Error): void {
    const now = Date.now();
    if (now - this.#lastWarn < 10_000) return;
    this.#lastWarn = now;
    this.#warn(
      { redis: `${this.target.host}:${this.target.port}`, cause: err.message },
      "rate limit Redis unavailable",
    );
  }

  /** Waits (at most `timeoutMs`) for the connection to be ready; starts it on first use. */
  async ready(timeoutMs: number): Promise<void> {
    const c = this.client;
    if (c.status === "ready") return;
    if (c.status === "wait") c.connect().catch(() => {});
    if (c.status === "end") throw new RedisUnavailableError("Redis connection closed");
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        c.off("ready", onReady);
        reject(new RedisUnavailableError(`Redis not ready within ${timeoutMs} ms (${c.status})`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(t);
        resolve();
      };
      c.once("ready", onReady);
    });
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** Redis connections by target, reused across config versions. */
export class RedisConnections {
  #byTarget = new Map<string, RedisConnection>();
  #warn: (fields: Record<string, unknown>, msg: string) => void;

  constructor(warn: (fields: Record<string, unknown>, msg: string) => void = () => {}) {
    this.#warn = warn;
  }

  /** The connection for `target` (created, not connected, on first request). */
  get(target: RedisTarget): RedisConnection {
    const id = createHash("sha256")
      .update(JSON.stringify([target.host, target.port, target.username, target.password, target.database]))
      .digest("base64url");
    let c = this.#byTarget.get(id);
    if (c === undefined) {
      c = new RedisConnection(target, this.#warn);
      this.#byTarget.set(id, c);
    }
    return c;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#byTarget.values()].map((c) => c.close()));
    this.#byTarget.clear();
  }
}

/** A {@link LimiterStore} over one Redis connection. */
export class RedisLimiterStore implements LimiterStore {
  #conn: RedisConnection;
  #prefix: string;
  #timeoutMs: number;
  /** Time to wait for the first connection (it is opened on first use), ms. */
  #connectWaitMs: number;

  constructor(conn: RedisConnection, prefix: string, timeoutMs: number) {
    this.#conn = conn;
    this.#prefix = prefix;
    this.#timeoutMs = timeoutMs;
    this.#connectWaitMs = Math.max(timeoutMs, 1_000);
  }

  async hit(key: string, limits: readonly LimitSpec[]): Promise<LimitDecision> {
    const conn = this.#conn;
    const c = conn.client;
    if (c.status !== "ready") {
      // Until the first connection, wait a little for it; afterwards (reconnecting) fail at once.
      if (c.status === "wait" || c.status === "connecting" || c.status === "connect")
        await conn.ready(this.#connectWaitMs);
      else throw new RedisUnavailableError(`Redis is ${c.status}`);
    }
    const keys = limits.map((l) => `${this.#prefix}{${key}}:${l.windowMs}`);
    const args: (string | number)[] = [];
    for (const l of limits) args.push(l.limit, l.windowMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        c.palisadeRateLimit(keys.length, ...keys, ...args),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new RedisUnavailableError(`Redis did not answer within ${this.#timeoutMs} ms`)),
            this.#timeoutMs,
          );
        }),
      ]);
      return decode(reply, limits);
    } catch (err) {
      if (err instanceof RedisUnavailableError) throw err;
      throw new RedisUnavailableError((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // The connection belongs to RedisConnections (shared).
  }
}

function decode(reply: number[], limits: readonly LimitSpec[]): LimitDecision {
  if (reply[0] === 0) {
    const i = Number(reply[1]) - 1;
    return { allowed: false, index: i, remaining: 0, resetMs: Math.max(0, Number(reply[3])) };
  }
  let index = 0;
  let remaining = Number.POSITIVE_INFINITY;
  let resetMs = 0;
  for (let i = 0; i < limits.length; i++) {
    const count = Number(reply[1 + 2 * i]);
    const ttl = Math.max(0, Number(reply[2 + 2 * i]));
    const left = limits[i]!.limit - count;
    if (left < remaining || (left === remaining && ttl > resetMs)) {
      index = i;
      remaining = left;
      resetMs = ttl;
    }
  }
  return { allowed: true, index, remaining: Math.max(0, remaining), resetMs };
}
