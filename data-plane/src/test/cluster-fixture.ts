// A two-process node for the cross-process rate-limit test: the primary serves node-local
// rate-limit decisions (serveLimiterToWorkers) and forks WORKERS workers with LIMITER_WORKER_ENV;
// each worker runs a real ProxyServer on the shared cluster port, compiled with a 10/min
// rate-limit and a headers policy that names the worker. Prints `ready <port>` once every worker
// listens. Used by cluster-limits.test.ts (and stopped by its PID).
import cluster from "node:cluster";
import { create } from "@bufbuild/protobuf";
import { HeadersPolicySchema, PolicySchema, RateLimitPeriod, RateLimitPolicySchema } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { TableHolder } from "../config/table-holder.js";
import { silentLogger } from "../log.js";
import { LIMITER_WORKER_ENV, serveLimiterToWorkers } from "../policies/rate-limit/ipc-limiter.js";
import { createPolicyResources } from "../policies/registry.js";
import { ProxyServer } from "../proxy/proxy-server.js";
import { PoolManager } from "../upstream/pool-manager.js";
import { route, snapshot, upstream } from "./fixtures.js";

const WORKERS = Number(process.env.FIXTURE_WORKERS ?? 2);

if (cluster.isPrimary) {
  serveLimiterToWorkers(cluster);
  let listening = 0;
  let port = 0;
  for (let i = 0; i < WORKERS; i++) {
    const w = cluster.fork({ ...process.env, ...LIMITER_WORKER_ENV, FIXTURE_WORKER: `w${i + 1}` });
    w.on("message", (m: { listening?: number }) => {
      if (typeof m?.listening !== "number") return;
      port = m.listening;
      if (++listening === WORKERS) process.stdout.write(`ready ${port}\n`);
    });
  }
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const upstreamPort = Number(process.env.FIXTURE_UPSTREAM_PORT);
  const worker = process.env.FIXTURE_WORKER ?? "w?";
  const table = compile(
    snapshot({
      upstreams: [upstream("echo", [`127.0.0.1:${upstreamPort}`])],
      policies: [
        create(PolicySchema, {
          id: "rl",
          name: "rl",
          config: {
            case: "rateLimit",
            value: create(RateLimitPolicySchema, { limits: [{ requests: 10, period: RateLimitPeriod.MINUTE }] }),
          },
        }),
        create(PolicySchema, {
          id: "who",
          name: "who",
          config: { case: "headers", value: create(HeadersPolicySchema, { set: { "x-worker": worker } }) },
        }),
      ],
      routes: [route("login", "echo", ["/auth/login"], { policyIds: ["rl", "who"] })],
    }),
    { policyTypes: new Set(["rate-limit", "headers"]), resources: createPolicyResources() },
  );
  const pools = new PoolManager();
  const holder = new TableHolder();
  holder.swap(table);
  const proxy = new ProxyServer({ holder, pools, log: silentLogger() });
  proxy.server.listen(0, "127.0.0.1", () => {
    process.send?.({ listening: proxy.address().port });
  });
}
