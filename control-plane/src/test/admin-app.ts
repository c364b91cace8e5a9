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

/**
 * The admin API over an in-memory store (or `deps.store`) with {@link TEST_ADMIN_TOKEN}, silent
 * logs, and no UI, fleet or identity unless `deps` gives them: the unit tests' one way to build it.
 */
export function testAdminApi(deps: Partial<AdminApiDeps> = {}): TestAdminApi {
  const store = deps.store ?? new Store(":memory:");
  const publisher = deps.publisher ?? new Publisher(store);
  const api = buildAdminApi({
    tokens: deps.tokens ?? new AdminTokens(store, TEST_ADMIN_TOKEN),
    log: pino({ level: "silent" }),
    ...deps,
    store,
    publisher,
  });
  const call: TestAdminApi["call"] = async (method, url, payload, opts = {}) => {
    const token = opts.token ?? TEST_ADMIN_TOKEN;
    const r = await api.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: r.body ? r.json() : undefined, headers: r.headers, text: r.body };
  };
  return { api, store, publisher, call };
}

/**
 * {@link testAdminApi} with a rollout engine over an empty fleet and anomaly detection without
 * nodes, so every endpoint of the admin API is registered (the route-walking tests: permissions,
 * the OpenAPI document, the admin API fuzz).
 */
export function fullTestAdminApi(): TestAdminApi {
  const store = new Store(":memory:");
  const rollouts = new RolloutStore(store);
  const engine = new RolloutEngine({
    store: rollouts,
    fleet: () => [],
    reports: () => [],
    versionExists: (n) => store.hasVersion(n),
    log: pino({ level: "silent" }),
  });
  const anomaly = new AnomalyService({ log: pino({ level: "silent" }), broadcast: () => {} });
  return testAdminApi({ store, rollouts: { engine, store: rollouts }, anomaly });
}
