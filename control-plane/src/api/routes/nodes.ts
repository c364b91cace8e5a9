import type { FastifyInstance } from "fastify";
import type { Publisher } from "../../config/publisher.js";
import { ApiError } from "../../errors.js";
import type { NodeRow, Store } from "../../store/store.js";

/** A node as the API shows it: the stored row plus how far it lags the latest version. */
function present(n: NodeRow, latest: number): Record<string, unknown> {
  return {
    ...n,
    latest_version: latest,
    lag: Math.max(0, latest - n.applied_version),
    in_sync: n.applied_version === latest,
  };
}

/** `GET /v1/nodes` and `GET /v1/nodes/{id}`: the fleet registry. */
export function registerNodeRoutes(app: FastifyInstance, store: Store, publisher: Publisher): void {
  app.get("/v1/nodes", async () => {
    const latest = publisher.latest()?.version ?? 0;
    return { items: store.listNodes().map((n) => present(n, latest)) };
  });
  app.get("/v1/nodes/:id", async (req) => {
    const id = (req.params as { id: string }).id;
    const n = store.getNode(id);
    if (!n) throw new ApiError("NOT_FOUND", `no node ${JSON.stringify(id)}`);
    return present(n, publisher.latest()?.version ?? 0);
  });
}
