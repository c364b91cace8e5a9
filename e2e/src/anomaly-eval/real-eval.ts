/**
 * The anomaly evaluation through real processes (issue 16 point 5): the part-1 traffic
 * generator's requests (@palisade/anomaly `traffic`: a normal population and injected attacks
 * with ground truth) replayed in real time as HTTP requests against two real `palisade-dp`
 * nodes (regions eu-west and us-east) synced by a real `palisade-cp` with detection on in
 * `detect` mode; an upstream answers each request with the status the generator decided
 * (`x-eval-status`: a wrong password is the upstream's 401). Client addresses travel in
 * `X-Forwarded-For` from a trusted proxy (the generator: 127.0.0.1), so one process plays
 * 200 stuffing addresses, IPv6 clients and NAT pools; registered users present API keys of
 * consumers made through the admin API, so the nodes resolve consumers. The control plane's
 * detections (the fleet view over both nodes' summaries, and the nodes' own) are then scored
 * with the part-1 scorer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AuthOutcome,
  type Detection,
  EVAL_ROUTES,
  EVAL_UPSTREAMS,
  type EvalOptions,
  FULL_EVAL,
  type Score,
  type SimRequest,
  score,
  type Traffic,
  traffic,
} from "@palisade/anomaly";
import { Pool } from "undici";
import { ControlPlaneProcess, DataPlaneProcess } from "../harness/fleet.js";

/** Options of one real-process run. */
export interface RealEvalOptions {
  readonly eval: EvalOptions;
  /** Attack kinds replayed (the others' requests are dropped and they are not scored). Default: all. */
  readonly kinds?: ReadonlySet<string>;
  /**
   * Consumers with API keys: every registered user (and each scraper an attack names) becomes a
   * consumer with a key, and the routes `users`, `account` and `upload` check it (api-key
   * policy), so the nodes resolve consumers and fingerprint churn is measured too. `orders`
   * stays open: a broken client release sends anonymous 400s there.
   */
  readonly consumers?: boolean;
  /** Proxy processes of the second node (`--workers`); default 1. */
  readonly workers?: number;
  /** Stop once every replayed attack is found (the small run of `npm test`). */
  readonly stopWhenFound?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

/** What a run measured. */
export interface RealEvalResult {
  readonly score: Score;
  readonly requests: number;
  readonly normalRequests: number;
  readonly attackRequests: number;
  /** Requests that got no HTTP answer (connection errors). */
  readonly failed: number;
  /** The replay's worst lag behind the generator's clock, ms. */
  readonly maxLagMs: number;
  readonly wallS: number;
  /** Detections the control plane made (region and fleet), with the kinds scored. */
  readonly detections: number;
}

/** An upstream that answers every request with the status in `x-eval-status` and a small JSON body. */
function statusUpstream(): Promise<Server> {
  const s = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = Number(req.headers["x-eval-status"]) || 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  s.keepAliveTimeout = 30_000;
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Routes with the api-key policy when the run has consumers (the generator's authenticated routes but `orders`). */
const KEYED_ROUTES: ReadonlySet<string> = new Set(["users", "account", "upload"]);

/** The run's consumers: API key per consumer name, consumer name per generator credential, names per consumer id. */
interface ConsumerKeys {
  readonly byConsumer: Map<string, string>;
  readonly consumerOf: Map<string, string>;
  readonly consumerNames: Map<string, string>;
}

/**
 * Creates a consumer with an API key (through the admin API, which generates and shows the key
 * once) for every registered user of the generator and every scraper consumer an attack names.
 */
async function createConsumers(cp: ControlPlaneProcess, t: Traffic): Promise<ConsumerKeys> {
  const keys: ConsumerKeys = { byConsumer: new Map(), consumerOf: new Map(), consumerNames: new Map() };
  const names = new Set<string>();
  for (const u of t.users) {
    if (u.consumer === undefined || u.consumer.startsWith("partner")) continue;
    names.add(u.consumer);
    if (u.credential !== undefined) keys.consumerOf.set(u.credential, u.consumer);
  }
  for (const a of t.attacks)
    for (const s of a.primary) if (s.startsWith("consumer:")) names.add(s.slice("consumer:".length));
  const list = [...names];
  // A few at a time: the admin API writes each to its store.
  for (let i = 0; i < list.length; i += 8)
    await Promise.all(
      list.slice(i, i + 8).map(async (name) => {
        const c = await cp.ok("POST", "/v1/consumers", { name });
        const k = await cp.ok("POST", `/v1/consumers/${c.id}/credentials`, { type: "api-key" });
        keys.byConsumer.set(name, k.key as string);
        keys.consumerNames.set(c.id as string, name);
      }),
    );
  return keys;
}

/**
 * Runs the evaluation: starts the upstream, the control plane and two nodes, publishes routes
 * for the generator's API and anomaly detection in detect mode, replays the traffic in real
 * time, then scores the control plane's detections. Everything started is stopped.
 */
export async function realEval(o: RealEvalOptions): Promise<RealEvalResult> {
  const log = o.log ?? (() => {});
  const upstream = await statusUpstream();
  const cp = await new ControlPlaneProcess().start();
  const nodes: DataPlaneProcess[] = [];
  const pools: Pool[] = [];
  try {
    const port = (upstream.address() as AddressInfo).port;
    for (const u of EVAL_UPSTREAMS)
      await cp.ok("POST", "/v1/upstreams", { name: u, targets: [{ host: "127.0.0.1", port }] });
    const prefix: Record<string, string> = { upload: "/v1/files" };
    const t = traffic(o.eval);
    const keys = o.consumers ? await createConsumers(cp, t) : null;
    if (keys) await cp.ok("POST", "/v1/policies", { name: "keys", type: "api-key", config: {} });
    for (const r of EVAL_ROUTES)
      await cp.ok("POST", "/v1/routes", {
        name: r.id,
        paths: [prefix[r.id] ?? `/v1/${r.id}`],
        upstream: r.upstream,
        ...(keys && KEYED_ROUTES.has(r.id) ? { policies: ["keys"] } : {}),
      });
    await cp.ok("PUT", "/v1/anomalies/config", { enabled: true, mode: "detect" });
    await cp.ok("POST", "/v1/config/versions", { message: "anomaly evaluation" });
    for (const [id, region, workers] of [
      ["eval-eu-1", "eu-west", 1],
      ["eval-us-1", "us-east", o.workers ?? 1],
    ] as const)
      nodes.push(
        await new DataPlaneProcess(id, cp.syncPort, {
          region,
          extraArgs: ["--trusted-proxies", "127.0.0.1/32", "--workers", String(workers)],
        }).start(),
      );
    await cp.waitForNodes(
      nodes.map((n) => n.nodeId),
      1,
    );
    // Names the detections use: route and upstream ids back to the generator's names.
    const names = new Map<string, string>();
    for (const kind of ["routes", "upstreams"])
      for (const r of (await cp.ok("GET", `/v1/${kind}`)).items as Array<{ id: string; name: string }>)
        names.set(r.id, r.name);
    for (const [id, name] of keys?.consumerNames ?? []) names.set(id, name);
    for (const n of nodes) pools.push(new Pool(`http://127.0.0.1:${n.proxyPort}`, { connections: 24 }));

    const kinds = o.kinds;
    const attacks = t.attacks.filter((a) => !kinds || kinds.has(a.kind));
    const replayed = new Set(attacks.map((a) => a.index));
    let requests = 0;
    let normal = 0;
    let attack = 0;
    let failed = 0;
    let inFlight = 0;
    let maxLag = 0;
    const send = (e: SimRequest) => {
      const headers: Record<string, string> = { "x-forwarded-for": e.address, "x-eval-status": String(e.status) };
      if (e.userAgent) headers["user-agent"] = e.userAgent;
      if (e.contentType) headers["content-type"] = e.contentType;
      if (keys && KEYED_ROUTES.has(e.route)) {
        const key = keys.byConsumer.get(e.consumer ?? keys.consumerOf.get(e.credential ?? "") ?? "");
        // An expired or revoked credential (the generator's 401 with a failed authentication):
        // a key the node does not know, so the node itself answers 401.
        if (key !== undefined) headers["x-api-key"] = e.auth === AuthOutcome.failed ? `${key}-revoked` : key;
      }
      const body = e.bytes > 0 ? Buffer.alloc(Math.min(e.bytes, 4 << 20), 0x61) : null;
      inFlight++;
      pools[e.node]!.request({ method: e.method as "GET", path: e.path, headers, body }).then(
        (r) => {
          inFlight--;
          r.body.resume();
        },
        () => {
          inFlight--;
          failed++;
        },
      );
    };
    const warm = o.eval.warmupS * 1000;
    const started = Date.now();
    const detected = async (): Promise<Detection[]> => {
      const items = (await cp.ok("GET", "/v1/anomalies/detections?limit=1000")).items as Array<{
        id: string;
        kind: Detection["kind"];
        level: Detection["level"];
        scope: string;
        subject: Detection["subject"];
        route: string;
        score: number;
        observed: number;
        baseline: number;
        threshold: number;
        unit: string;
        explanation: string;
        detected_at: string;
      }>;
      return items.map((d) => ({
        id: d.id,
        kind: d.kind,
        level: d.level,
        scope: d.scope,
        atMs: Date.parse(d.detected_at) - started,
        subject:
          d.subject.type === "route" || d.subject.type === "upstream" || d.subject.type === "consumer"
            ? { type: d.subject.type, id: names.get(d.subject.id) ?? d.subject.id }
            : d.subject,
        route: names.get(d.route) ?? d.route,
        score: d.score,
        observed: d.observed,
        baseline: d.baseline,
        threshold: d.threshold,
        unit: d.unit,
        explanation: d.explanation,
        contributors: [],
      }));
    };
    const run = (dets: Detection[]) =>
      score({
        options: o.eval,
        attacks,
        detections: dets.filter((d) => !kinds || kinds.has(d.kind)),
        normalRequests: normal,
        attackRequests: attack,
        records: requests,
        dropped: 0,
        wallMs: Date.now() - started,
        nodes: [],
        summaryBytesMax: 0,
        summaryBytesMean: 0,
        heapBytes: 0,
      });
    let lastCheck = 0;
    for (const step of t.steps()) {
      const wait = started + step.t - Date.now();
      if (wait > 0) await sleep(wait);
      else maxLag = Math.max(maxLag, -wait);
      for (const e of step.events) {
        if (e.attack !== -1 && !replayed.has(e.attack)) continue;
        if (inFlight > 2000) {
          failed++;
          continue; // the machine cannot keep up: counted, never queued without bound
        }
        requests++;
        if (e.attack === -1) {
          if (e.t >= warm) normal++;
        } else attack++;
        send(e);
      }
      if (step.t - lastCheck >= 60_000) {
        lastCheck = step.t;
        log(`t=${Math.round(step.t / 1000)} s: ${requests} requests (${failed} unanswered), lag ${maxLag} ms`);
        if (o.stopWhenFound && step.t > warm && run(await detected()).missed.length === 0) break;
      }
      if (o.stopWhenFound && step.t > warm && step.t % 5000 === 0 && run(await detected()).missed.length === 0) break;
    }
    // The last summaries (5 s) and the control plane's detection pass.
    await sleep(12_000);
    const dets = await detected();
    return {
      score: run(dets),
      requests,
      normalRequests: normal,
      attackRequests: attack,
      failed,
      maxLagMs: maxLag,
      wallS: (Date.now() - started) / 1000,
      detections: dets.length,
    };
  } finally {
    for (const p of pools) await p.close();
    await Promise.all(nodes.map((n) => n.destroy()));
    await cp.destroy();
    await new Promise((r) => upstream.close(r));
  }
}

/**
 * `npm run anomaly:eval`: 15 min of real time (5.5 min of learning: the fleet view's route rules
 * need 5 min of baseline), 1,500 users, two attacks of each kind; registered users are consumers
 * with API keys the nodes resolve (fingerprint churn is measured), and the second node runs two
 * proxy processes (`--workers 2`: its workers' summaries add up at the control plane).
 */
export const FULL_REAL_EVAL: RealEvalOptions = {
  eval: {
    ...FULL_EVAL,
    durationS: 900,
    warmupS: 330,
    users: 1500,
    natAddresses: 10,
    partners: 2,
    attacksPerKind: 2,
    burstAddresses: 0,
    clockJumps: false,
  },
  consumers: true,
  workers: 2,
};

/**
 * The small seeded run of `npm test`: 300 users, one brute force (spread over both nodes or
 * not, as the seed draws it) and one enumeration after 30 s, stopped once both are found.
 * The client rules need no route baseline; the route-level kinds need 5 minutes of it.
 */
export const SMALL_REAL_EVAL: RealEvalOptions = {
  eval: { ...FULL_REAL_EVAL.eval, seed: 7, durationS: 420, warmupS: 30, users: 300, attacksPerKind: 1 },
  consumers: false,
  workers: 1,
  kinds: new Set(["brute_force", "enumeration"]),
  stopWhenFound: true,
};
