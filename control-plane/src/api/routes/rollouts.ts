import type { FastifyInstance, FastifyRequest } from "fastify";
import { DomainError } from "../../errors.js";
import type { RolloutAction, RolloutEngine } from "../../rollouts/engine.js";
import { type StartRolloutBody, startRolloutSchema, toStartSpec } from "../../rollouts/start-request.js";
import type { RolloutEvent, RolloutRecord, RolloutState, StageRun } from "../../rollouts/types.js";
import type { RolloutStore } from "../../store/rollout-store.js";
import type { NodeRow, Store } from "../../store/store.js";
import { digits, queryInt } from "../query.js";
import { anyObject, anyValue, int, list, nullable, obj, replies, str, time } from "../response-schemas.js";

/** What the rollout endpoints read and act on. */
export interface RolloutApiDeps {
  store: Store;
  rollouts: RolloutStore;
  engine: RolloutEngine;
}

const STATES: readonly RolloutState[] = ["running", "paused", "succeeded", "rolled_back", "aborted", "failed"];
const ACTIONS: readonly RolloutAction[] = ["pause", "resume", "promote", "abort"];

const idParam = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;

/** State of a node within a stage: `pending` (not yet on its assigned version), `acked`, `nacked`, `rolled_back`. */
const ROLLOUT_NODE = obj({
  id: str,
  region: nullable("string"),
  applied_version: nullable("integer"),
  assigned_version: nullable("integer"),
  previous_version: nullable("integer"),
  state: { type: "string", enum: ["pending", "acked", "nacked", "rolled_back"] },
});

const STAGE = obj(
  {
    name: str,
    selector: anyObject,
    soak_s: anyValue,
    progress_deadline_s: anyValue,
    inconclusive_wait_s: anyValue,
    state: str,
    started_at: nullable("string"),
    deadline_at: nullable("string"),
    acked_at: nullable("string"),
    ends_at: nullable("string"),
    finished_at: nullable("string"),
    nodes: list(ROLLOUT_NODE),
    gates: list(
      obj(
        { value: nullable("number"), baseline: nullable("number"), verdict: str, requests: int },
        [],
        "a gate and its latest result",
      ),
    ),
  },
  ["name", "state", "nodes", "gates"],
);

/** A rollout as {@link presentRollout} shows it. */
const ROLLOUT = obj(
  {
    id: str,
    seq: int,
    version: int,
    previous_version: int,
    state: { type: "string", enum: STATES },
    strategy: str,
    on_failure: str,
    current_stage: nullable("integer"),
    pause_reason: nullable("string"),
    created_at: time,
    created_by: str,
    updated_at: time,
    ended_at: nullable("string"),
    rollback_completed_at: nullable("string"),
    touched_nodes: list(
      obj({ id: str, stage: int, previous_version: int, version: int, touched_at: str }, ["id", "version"]),
    ),
    stages: list(STAGE),
    events: list(obj({ at: str, type: str, who: str, message: str, stage: nullable("string") })),
  },
  ["id", "seq", "version", "previous_version", "state", "stages"],
);

function nodeState(r: RolloutRecord, id: string, row: NodeRow | undefined): string {
  const a = r.nodes[id];
  if (row?.last_nack?.version === r.version) return "nacked";
  if (!a) return "pending";
  const rolledBack = a.version !== r.version;
  if (row?.applied_version === a.version) return rolledBack ? "rolled_back" : "acked";
  return "pending";
}

/** A stage as the API shows it: its spec, progress, nodes and gates (latest results, or pending). */
function presentStage(r: RolloutRecord, s: StageRun, nodes: ReadonlyMap<string, NodeRow>): Record<string, unknown> {
  const gates =
    s.results.length > 0
      ? s.results
      : s.gates.map((g) => ({ ...g, value: null, baseline: null, verdict: "pending", requests: 0 }));
  return {
    name: s.name,
    selector: s.selector,
    soak_s: s.soak_s,
    progress_deadline_s: s.progress_deadline_s,
    inconclusive_wait_s: s.inconclusive_wait_s,
    state: s.state,
    started_at: s.started_at,
    deadline_at: s.deadline_at,
    acked_at: s.acked_at,
    ends_at: s.ends_at,
    finished_at: s.finished_at,
    nodes: s.nodes.map((id) => {
      const row = nodes.get(id);
      const a = r.nodes[id];
      return {
        id,
        region: row?.region ?? null,
        applied_version: row?.applied_version ?? null,
        assigned_version: a?.version ?? null,
        previous_version: a?.previous_version ?? null,
        state: nodeState(r, id, row),
      };
    }),
    gates,
  };
}

/** The inventory by node id (read once per request, however many rollouts it presents). */
async function nodesById(store: Store): Promise<ReadonlyMap<string, NodeRow>> {
  return new Map((await store.listNodes()).map((n) => [n.id, n]));
}

/**
 * A rollout as the API shows it (web-admin/src/api/types.ts `Rollout`), with `events` when given.
 * @param nodes the inventory by node id ({@link nodesById})
 */
export function presentRollout(
  r: RolloutRecord,
  nodes: ReadonlyMap<string, NodeRow>,
  events?: readonly RolloutEvent[],
): Record<string, unknown> {
  return {
    id: r.id,
    seq: r.seq,
    version: r.version,
    previous_version: r.previous_version,
    state: r.state,
    strategy: r.strategy,
    on_failure: r.on_failure,
    current_stage: r.current_stage,
    pause_reason: r.pause_reason,
    created_at: r.created_at,
    created_by: r.created_by,
    updated_at: r.updated_at,
    ended_at: r.ended_at,
    rollback_completed_at: r.rollback_completed_at,
    touched_nodes: Object.entries(r.nodes).map(([id, a]) => ({ id, ...a })),
    stages: r.stages.map((s) => presentStage(r, s, nodes)),
    ...(events ? { events } : {}),
  };
}

/** Who acts: the admin token's label (never the token). */
function actor(req: FastifyRequest): string {
  return req.admin?.label ?? "admin";
}

/**
 * Staged rollouts (issue 7): `POST /v1/rollouts` starts one (201; 409 ROLLOUT_ACTIVE while
 * another is running or paused, 400 VERSION_NOT_FOUND), `GET /v1/rollouts` lists them newest
 * first (`limit` 1-1000, default 100; `state`; `before_seq` and `next_before_seq` for paging),
 * `GET /v1/rollouts/{id}` shows one with its stages, nodes, gates and events, and
 * `POST /v1/rollouts/{id}/pause|resume|promote|abort` act on it (409 ROLLOUT_STATE when the
 * action does not apply to its state). Actions are separate routes so the audit log's kind
 * names them (`rollouts/pause`).
 */
export function registerRolloutRoutes(app: FastifyInstance, deps: RolloutApiDeps): void {
  const { store, rollouts, engine } = deps;

  app.post(
    "/v1/rollouts",
    { schema: { body: startRolloutSchema, response: replies(ROLLOUT, 201) } },
    async (req, reply) => {
      const r = await engine.create(toStartSpec(req.body as StartRolloutBody), actor(req));
      reply.code(201);
      return presentRollout(r, await nodesById(store), await rollouts.events(r.id));
    },
  );

  app.get(
    "/v1/rollouts",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { limit: digits, before_seq: digits, state: { type: "string", enum: STATES } },
        },
        response: replies(
          obj(
            {
              items: list(ROLLOUT),
              next_before_seq: nullable("integer", "the before_seq of the next page, or null at the end"),
              stable_version: int,
            },
            ["items", "next_before_seq", "stable_version"],
          ),
        ),
      },
    },
    async (req) => {
      const q = req.query as { state?: RolloutState };
      const limit = queryInt(req.query, "limit", 1, 1000) ?? 100;
      const beforeSeq = queryInt(req.query, "before_seq", 1, Number.MAX_SAFE_INTEGER);
      const items = await rollouts.list({
        limit,
        ...(q.state ? { state: q.state } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      const nodes = await nodesById(store);
      return {
        items: items.map((r) => presentRollout(r, nodes)),
        next_before_seq: items.length === limit ? items.at(-1)!.seq : null,
        stable_version: engine.stable().version,
      };
    },
  );

  app.get("/v1/rollouts/:id", { schema: { params: idParam, response: replies(ROLLOUT) } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const r = await engine.get(id);
    if (!r) throw new DomainError("ROLLOUT_NOT_FOUND", `no rollout ${JSON.stringify(id)}`);
    return presentRollout(r, await nodesById(store), await rollouts.events(r.id));
  });

  for (const action of ACTIONS)
    app.post(`/v1/rollouts/:id/${action}`, { schema: { params: idParam, response: replies(ROLLOUT) } }, async (req) => {
      const r = await engine.act((req.params as { id: string }).id, action, actor(req));
      return presentRollout(r, await nodesById(store), await rollouts.events(r.id));
    });
}
