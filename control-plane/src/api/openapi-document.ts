import { pino } from "pino";
import { AdminTokens } from "../admin-token.js";
import { Publisher } from "../config/publisher.js";
import { RolloutEngine } from "../rollouts/engine.js";
import { RolloutStore } from "../store/rollout-store.js";
import { Store } from "../store/store.js";
import { buildAdminApi } from "./server.js";

/**
 * The admin API's OpenAPI 3.1 document, built without a listener or a database file: an admin API
 * over an in-memory store with every optional part (rollouts) registered, asked for its document.
 * What `GET /v1/openapi.json` answers; web-admin/scripts/api-types.mjs generates the web admin's
 * API types from it.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = await Store.open(":memory:");
  const log = pino({ level: "silent" });
  const rollouts = new RolloutStore(store);
  const engine = await RolloutEngine.open({
    store: rollouts,
    fleet: async () => [],
    reports: async () => new Map(),
    versionExists: async () => false,
    log,
  });
  const api = await buildAdminApi({
    store,
    publisher: await Publisher.open(store),
    tokens: new AdminTokens(store, undefined),
    log,
    rollouts: { engine, store: rollouts },
  });
  try {
    await api.ready();
    return api.swagger() as unknown as Record<string, unknown>;
  } finally {
    await api.close();
    await store.close();
  }
}
