import { isDeepStrictEqual } from "node:util";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { AdminTokens } from "../admin-token.js";
import { AnomalyService } from "../anomaly/anomaly-service.js";
import { type AdminApiDeps, buildAdminApi } from "../api/server.js";
import { Publisher } from "../config/publisher.js";
import { RolloutEngine } from "../rollouts/engine.js";
import { RolloutStore } from "../store/rollout-store.js";
import { Store } from "../store/store.js";

/** The admin token of {@link testAdminApi}. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/** An answer of the admin API as tests read it. */
export interface TestAnswer {
  readonly status: number;
  /** The JSON body, or undefined when empty. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers field by field
  readonly body: any;
  readonly headers: Record<string, string | string[] | number | undefined>;
  /** The raw body text. */
  readonly text: string;
}

/** Options of one {@link TestAdminApi.call}: another token ("" for none) and extra headers. */
export interface CallOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** What {@link testAdminApi} returns. */
export interface TestAdminApi {
  readonly api: FastifyInstance;
  readonly store: Store;
  readonly publisher: Publisher;
  /** Injects one request with the admin token (no socket). */
  call(
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    payload?: unknown,
    opts?: CallOptions,
  ): Promise<TestAnswer>;
}

/** What the handler answered, as JSON.stringify writes it, by request. */
const intended = new WeakMap<object, string>();

/**
 * Fails any answer that fastify's response serialization (the routes' `schema.response`, with
 * fast-json-stringify) writes differently from JSON.stringify of the handler's value: a member
 * dropped because its schema does not list it, a value coerced to a declared type, a default
 * added (member order aside). Every unit test that goes through {@link testAdminApi} checks its answers this way:
 * `call` throws naming the request and both texts.
 */
function watchSerialization(api: FastifyInstance): string[] {
  const drift: string[] = [];
  api.addHook("preSerialization", async (req, _reply, payload) => {
    intended.set(req, JSON.stringify(payload));
    return payload;
  });
  api.addHook("onSend", async (req, reply, payload) => {
    const want = intended.get(req);
    if (want === undefined || typeof payload !== "string") return payload;
    // Member order may differ (fast-json-stringify writes the schema's order): JSON clients ignore it.
    if (!isDeepStrictEqual(JSON.parse(payload), JSON.parse(want)))
      drift.push(
        `${req.method} ${req.url} ${reply.statusCode}: the response schema changed the answer\n  handler: ${want.slice(0, 3000)}\n  sent:    ${payload.slice(0, 3000)}`,
      );
    return payload;
  });
  return drift;
}

/**
 * The admin API over an in-memory store (or `deps.store`) with {@link TEST_ADMIN_TOKEN}, silent
 * logs, and no UI, fleet or identity unless `deps` gives them: the unit tests' one way to build it.
 */
export async function testAdminApi(deps: Partial<AdminApiDeps> = {}): Promise<TestAdminApi> {
  const store = deps.store ?? (await Store.open(":memory:"));
  const publisher = deps.publisher ?? (await Publisher.open(store));
  const api = await buildAdminApi({
    tokens: deps.tokens ?? new AdminTokens(store, TEST_ADMIN_TOKEN),
    log: pino({ level: "silent" }),
    ...deps,
    store,
    publisher,
  });
  const drift = watchSerialization(api);
  const call: TestAdminApi["call"] = async (method, url, payload, opts = {}) => {
    const token = opts.token ?? TEST_ADMIN_TOKEN;
    const r = await api.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    const changed = drift.splice(0);
    if (changed.length > 0) throw new Error(changed.join("\n"));
    return { status: r.statusCode, body: r.body ? r.json() : undefined, headers: r.headers, text: r.body };
  };
  return { api, store, publisher, call };
}

/**
 * {@link testAdminApi} with a rollout engine over an empty fleet and anomaly detection without
 * nodes, so every endpoint of the admin API is registered (the route-walking tests: permissions,
 * the OpenAPI document, the admin API fuzz).
 */
export async function fullTestAdminApi(): Promise<TestAdminApi> {
  const store = await Store.open(":memory:");
  const rollouts = new RolloutStore(store);
  const engine = await RolloutEngine.open({
    store: rollouts,
    fleet: async () => [],
    reports: async () => new Map(),
    versionExists: (n) => store.hasVersion(n),
    log: pino({ level: "silent" }),
  });
  const anomaly = new AnomalyService({ log: pino({ level: "silent" }), broadcast: () => {} });
  return testAdminApi({ store, rollouts: { engine, store: rollouts }, anomaly });
}
