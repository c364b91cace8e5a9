// Micro-bench of a node's apply path at scale, in one process: a full snapshot of `--routes`
// routes (generate-config.mjs), then one-route deltas, timing each step (decode + delta,
// snapshot view, compile). `node bench/sync/apply-micro.mjs [--routes 10000] [--deltas 30]`
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { ConfigState, compile } from "@palisade/data-plane";
import { encodeResource, JwtPolicySchema, PolicySchema, RouteSchema, UpstreamSchema } from "@palisade/proto";
import { generateConfig } from "./generate-config.mjs";

const { values } = parseArgs({
  options: { routes: { type: "string", default: "10000" }, deltas: { type: "string", default: "30" } },
});
const cfg = generateConfig(Number(values.routes));
const ups = cfg.upstreams.map((u) =>
  encodeResource(
    3,
    create(UpstreamSchema, {
      id: u.name,
      name: u.name,
      targets: u.targets.map((t) => ({ ...t, weight: 100 })),
      scheme: "http",
    }),
  ),
);
const pols = cfg.policies.map((p) =>
  encodeResource(
    5,
    create(PolicySchema, {
      id: p.name,
      name: p.name,
      config: {
        case: "jwt",
        value: create(JwtPolicySchema, {
          jwksJson: JSON.stringify(p.config.jwks),
          algorithms: p.config.algorithms,
          issuers: p.config.issuers,
        }),
      },
    }),
  ),
);
const toRoute = (r, i, prio = 0) =>
  encodeResource(
    4,
    create(RouteSchema, {
      id: `r-${String(i).padStart(6, "0")}`,
      name: r.name,
      hosts: r.hosts,
      paths: r.paths.map((p) =>
        p.exact ? { kind: { case: "exact", value: p.exact } } : { kind: { case: "prefix", value: p.prefix } },
      ),
      methods: r.methods,
      priority: prio,
      upstreamId: r.upstream,
      policyIds: r.policies ?? [],
    }),
  );
const routes = cfg.routes.map((r, i) => toRoute(r, i));
const opts = { policyTypes: new Set(["jwt"]) };
let t = performance.now();
let state = ConfigState.full(1n, 0n, [...ups, ...pols, ...routes]);
const tDecode = performance.now() - t;
t = performance.now();
let table = compile(state.snapshot(), opts);
console.log(`full: decode+hash ${tDecode.toFixed(1)} ms, compile ${(performance.now() - t).toFixed(1)} ms`);
for (let k = 0; k < 3; k++) {
  t = performance.now();
  compile(state.snapshot(), opts);
  console.log(`full compile again: ${(performance.now() - t).toFixed(1)} ms`);
}
const rows = [];
for (let d = 0; d < Number(values.deltas); d++) {
  const i = (d * 7919) % routes.length;
  const changed = toRoute(cfg.routes[i], i, d + 1);
  const t0 = performance.now();
  state = state.applyDelta(BigInt(d + 2), 0n, [changed], []);
  const t1 = performance.now();
  const snap = state.snapshot();
  const t2 = performance.now();
  table = compile(snap, { ...opts, previous: table, changedRoutes: state.touched(4) });
  const t3 = performance.now();
  rows.push([t1 - t0, t2 - t1, t3 - t2]);
}
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(
  `delta (median of ${rows.length}): applyDelta ${med(0).toFixed(2)} ms, snapshot ${med(1).toFixed(2)} ms, compile ${med(2).toFixed(2)} ms`,
);
