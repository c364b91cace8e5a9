import type { Detection, DetectionKind } from "../detect/detection.js";
import { DetectorEngine } from "../engine.js";
import { Interner } from "../record/interner.js";
import { RecordReader } from "../record/record-reader.js";
import { emptyFacts, RecordWriter, type RequestFacts } from "../record/record-writer.js";
import { createRingBuffer } from "../record/ring.js";
import { decodeSummary, encodeSummary } from "../summary/codec.js";
import { FleetView } from "../summary/fleet-view.js";
import {
  type Attack,
  BruteForce,
  CredentialStuffing,
  Enumeration,
  ErrorRate,
  FingerprintChurn,
  Payload,
  Volumetric,
} from "./attacks.js";
import { Rng } from "./rng.js";
import { type Faults, normalRequest, population, ROUTES, type SimRequest, UPSTREAMS, type User } from "./world.js";

/** Options of one evaluation run (simulated time). */
export interface EvalOptions {
  readonly seed: number;
  /** Simulated length, s, and the learning period at its start (no attacks, detections not scored). */
  readonly durationS: number;
  readonly warmupS: number;
  readonly users: number;
  readonly natAddresses: number;
  readonly partners: number;
  /** Attack instances per kind. */
  readonly attacksPerKind: number;
  /** Credential stuffing: attempts/s and addresses (the run: 20/s over 200 addresses, two nodes). */
  readonly stuffingPerS: number;
  readonly stuffingAddresses: number;
  /** A burst of this many distinct addresses, one request each, within 60 s (0 = none). */
  readonly burstAddresses: number;
  /** Jump node 1's clock forward 1 h at 40 % of the run and back 30 min at 70 %. */
  readonly clockJumps: boolean;
  readonly dayS: number;
  readonly swing: number;
}

/** The full run of `npm run anomaly:eval`. */
export const FULL_EVAL: EvalOptions = {
  seed: 16,
  durationS: 3 * 3600,
  warmupS: 900,
  users: 30_000,
  natAddresses: 40,
  partners: 5,
  attacksPerKind: 20,
  stuffingPerS: 20,
  stuffingAddresses: 200,
  burstAddresses: 1_000_000,
  clockJumps: true,
  dayS: 3600,
  swing: 0.4,
};

/** The small seeded run of `npm test`. */
export const SMALL_EVAL: EvalOptions = {
  ...FULL_EVAL,
  seed: 7,
  durationS: 3300,
  users: 6_000,
  natAddresses: 12,
  partners: 3,
  attacksPerKind: 3,
  burstAddresses: 30_000,
};

/** What a run produced, for the scorer. */
export interface EvalRun {
  readonly options: EvalOptions;
  readonly attacks: readonly Attack[];
  readonly detections: readonly Detection[];
  /** Normal requests after the learning period. */
  readonly normalRequests: number;
  readonly attackRequests: number;
  readonly records: number;
  /** Records dropped by the rings (the harness drains every 100 ms: expected 0). */
  readonly dropped: number;
  /** Wall time of the run, ms. */
  readonly wallMs: number;
  /** Per node: engine memory estimate, tracked clients, clock jumps seen. */
  readonly nodes: ReadonlyArray<ReturnType<DetectorEngine["stats"]>>;
  /** Largest encoded summary, bytes, and the mean. */
  readonly summaryBytesMax: number;
  readonly summaryBytesMean: number;
  /** V8 heap + array buffers after the run, bytes. */
  readonly heapBytes: number;
}

const SUMMARY_MS = 5_000;

function schedule(rng: Rng, o: EvalOptions, users: User[]): Attack[] {
  const start = o.warmupS * 1000;
  const end = (o.durationS - 300) * 1000;
  const n = o.attacksPerKind;
  // Route-level attacks take turns in slots, interleaved so that two of one kind (one route's
  // episodes) are never back to back: a detection must find each of them, not one merged run.
  const rate = users.reduce((sum, u) => sum + u.rate, 0);
  const routeRate = (id: string) => rate * (ROUTES.find((r) => r.id === id)?.weight ?? 0);
  const stuffing: Array<(i: number, t: number) => Attack> = [];
  const errors: Array<(i: number, t: number) => Attack> = [];
  const floods: Array<(i: number, t: number) => Attack> = [];
  for (let k = 0; k < n; k++) {
    stuffing.push(
      (i, t) => new CredentialStuffing(rng, i, t, rng.range(60_000, 120_000), o.stuffingPerS, o.stuffingAddresses),
    );
    errors.push(
      (i, t) =>
        new ErrorRate(rng, i, t, rng.range(90_000, 150_000), k % 2 === 0, routeRate("orders") * rng.range(0.4, 0.8)),
    );
    if (k % 2 === 1) {
      floods.push((i, t) => {
        const route = rng.chance(0.5) ? "catalog" : "search";
        return new Volumetric(rng, i, t, 90_000, Math.round(routeRate(route) * rng.range(3.5, 6)), 400, false, route);
      });
    }
  }
  if (o.burstAddresses > 0) {
    floods.push(
      (i, t) => new Volumetric(rng, i, t, 60_000, Math.ceil(o.burstAddresses / 60), o.burstAddresses, true, "search"),
    );
  }
  const routeLevel: Array<(i: number, t: number) => Attack> = [];
  for (let k = 0; k < Math.max(stuffing.length, errors.length, floods.length); k++) {
    for (const list of [stuffing, errors, floods]) if (k < list.length) routeLevel.push(list[k]!);
  }
  const attacks: Attack[] = [];
  const slot = (end - start) / routeLevel.length;
  routeLevel.forEach((make, k) => {
    attacks.push(make(attacks.length, start + k * slot + rng.range(0, slot * 0.1)));
  });
  const registered = users.filter((u) => u.consumer !== undefined && !u.consumer.startsWith("partner"));
  const at = () => rng.range(start, end);
  for (let k = 0; k < n; k++) {
    attacks.push(
      new BruteForce(
        rng,
        attacks.length,
        at(),
        rng.range(150_000, 240_000),
        k % 2 === 0 ? Math.round(rng.range(25, 60)) : 16,
        k % 2 === 1,
      ),
    );
    attacks.push(new Enumeration(rng, attacks.length, at(), 180_000, Math.round(rng.range(2, 4)), k % 2 === 0));
    if (k % 2 === 0) attacks.push(new Volumetric(rng, attacks.length, at(), 90_000, Math.round(rng.range(10, 30)), 1));
    attacks.push(
      new Payload(rng, attacks.length, at(), rng.range(180_000, 240_000), rng.pick(registered), rng.range(0.1, 0.2)),
    );
    attacks.push(new FingerprintChurn(rng, attacks.length, at(), 240_000, rng.pick(registered), rng.range(0.5, 1.5)));
  }
  return attacks;
}

/** The clock offset of `node` at simulated time `t` (ms): node 1's clock jumps when asked. */
function clockOffset(o: EvalOptions, node: number, t: number): number {
  if (!o.clockJumps || node !== 1) return 0;
  const d = o.durationS * 1000;
  return (t >= 0.4 * d ? 3_600_000 : 0) - (t >= 0.7 * d ? 1_800_000 : 0);
}

/** One step of generated traffic: the requests of [t, t + STEP_MS), sorted by time. */
export interface TrafficStep {
  readonly t: number;
  readonly events: SimRequest[];
}

/** The traffic of a run (population, schedule and generator state), step by step. */
export interface Traffic {
  readonly users: readonly User[];
  readonly attacks: readonly Attack[];
  /** Steps of {@link STEP_MS} from 0 to the run's end. */
  steps(): Generator<TrafficStep>;
}

/** Length of one traffic step, ms. */
export const STEP_MS = 100;

/**
 * The evaluation's traffic with its ground truth: the normal population (with retries of
 * failed logins) and the scheduled attacks, in simulated time from 0, the same sequence for
 * the same seed. The in-process run ({@link simulate}) and the run through real processes
 * (e2e/src/anomaly-eval) both replay it.
 */
export function traffic(o: EvalOptions): Traffic {
  const rng = new Rng(o.seed);
  const users = population(rng, o);
  const attacks = schedule(rng, o, users);
  function* steps(): Generator<TrafficStep> {
    let cum = 0;
    const cumRates = new Float64Array(users.length);
    users.forEach((u, i) => {
      cum += u.rate;
      cumRates[i] = cum;
    });
    const pickUser = (): User => {
      const x = rng.next() * cum;
      let lo = 0;
      let hi = cumRates.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumRates[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      return users[lo]!;
    };
    const faults: Faults = new Map();
    const retries = new Map<number, Array<{ t: number; user: User; attempt: number }>>();
    const seq = { next: 1 };
    const durationMs = o.durationS * 1000;
    const active = attacks.slice().sort((a, b) => a.startMs - b.startMs);
    for (let t = 0; t < durationMs; t += STEP_MS) {
      const events: SimRequest[] = [];
      const diurnal = 1 + o.swing * Math.sin((2 * Math.PI * t) / (o.dayS * 1000));
      const n = rng.poisson((cum * diurnal * STEP_MS) / 1000);
      const newRetries: Array<{ t: number; user: User; attempt: number }> = [];
      for (let i = 0; i < n; i++)
        events.push(normalRequest(rng, pickUser(), t + rng.next() * STEP_MS, seq, faults, newRetries));
      const step = t / STEP_MS;
      for (const r of retries.get(step) ?? [])
        events.push(normalRequest(rng, r.user, r.t, seq, faults, newRetries, r.attempt));
      retries.delete(step);
      for (const r of newRetries) {
        const s = Math.floor(r.t / STEP_MS);
        const list = retries.get(s) ?? [];
        list.push(r);
        retries.set(s, list);
      }
      for (const a of active) {
        if (a.startMs > t + STEP_MS) break;
        if (a.endMs <= t) continue;
        const from = Math.max(t, a.startMs);
        a.emit(rng, from, Math.min(t + STEP_MS, a.endMs) - from, events, faults);
      }
      events.sort((a, b) => a.t - b.t);
      yield { t, events };
    }
  }
  return { users, attacks, steps };
}

/**
 * Runs one evaluation: the normal population and the scheduled attacks through two simulated
 * nodes (record writer → ring → reader → engine, as in the data plane) whose summaries go
 * through the binary codec into one fleet view (as the control plane will), in simulated time.
 */
export function simulate(o: EvalOptions): EvalRun {
  const wall = performance.now();
  const run = traffic(o);
  const { users, attacks } = run;
  const detections: Detection[] = [];
  const onDetection = (d: Detection) => detections.push(d);

  const routes = new Interner();
  const upstreams = new Interner();
  const consumers = new Interner(1_000_000);
  for (const r of ROUTES) routes.intern(r.id);
  for (const u of UPSTREAMS) upstreams.intern(u);
  for (const u of users) if (u.consumer !== undefined) consumers.intern(u.consumer);
  for (let i = 0; i < attacks.length; i++) consumers.intern(`scraper-${i}`);
  const names = { routes: routes.names(), upstreams: upstreams.names(), consumers: consumers.names() };

  const nodes = [0, 1].map((n) => {
    const ring = createRingBuffer(1 << 16);
    const engine = new DetectorEngine({
      nodeId: `node-${n}`,
      region: n === 0 ? "eu-west" : "us-east",
      onDetection,
      names,
    });
    return { ring, writer: new RecordWriter(ring), reader: new RecordReader(ring), engine };
  });
  const fleet = new FleetView({ onDetection });

  const facts: RequestFacts = emptyFacts();
  let normal = 0;
  let attackRequests = 0;
  let records = 0;
  let summaryBytes = 0;
  let summaryMax = 0;
  let summaries = 0;
  const visit = (engine: DetectorEngine) => (r: Parameters<DetectorEngine["ingest"]>[0]) => engine.ingest(r);
  const visitors = nodes.map((n) => visit(n.engine));
  for (const { t, events } of run.steps()) {
    for (const e of events) {
      if (e.attack === -1) {
        if (e.t >= o.warmupS * 1000) normal++;
      } else {
        attackRequests++;
      }
      const node = nodes[e.node]!;
      facts.timeMs = e.t + clockOffset(o, e.node, e.t);
      facts.route = routes.get(e.route);
      facts.upstream = upstreams.get(e.upstream);
      facts.consumer = consumers.get(e.consumer);
      facts.credentialId = e.credential;
      facts.clientAddress = e.address;
      facts.path = e.path;
      facts.method = e.method;
      facts.userAgent = e.userAgent;
      facts.contentType = e.contentType;
      facts.status = e.status;
      facts.auth = e.auth;
      facts.latencyUs = 20_000;
      facts.requestBytes = e.bytes;
      facts.responseBytes = 400;
      node.writer.write(facts);
    }
    const end = t + STEP_MS;
    nodes.forEach((node, i) => {
      let read = node.reader.drain(visitors[i]!);
      while (read > 0) read = node.reader.drain(visitors[i]!);
      node.engine.setDropped(node.reader.dropped);
      node.engine.advance(end + clockOffset(o, i, end));
    });
    records += events.length;
    if (end % SUMMARY_MS === 0) {
      for (const node of nodes) {
        const bytes = encodeSummary(node.engine.takeSummary());
        summaryBytes += bytes.length;
        summaryMax = Math.max(summaryMax, bytes.length);
        summaries++;
        fleet.add(decodeSummary(bytes), end);
      }
    }
    fleet.advance(end);
  }
  const mem = process.memoryUsage();
  return {
    options: o,
    attacks,
    detections,
    normalRequests: normal,
    attackRequests,
    records,
    dropped: nodes.reduce((s, n) => s + n.reader.dropped, 0),
    wallMs: performance.now() - wall,
    nodes: nodes.map((n) => n.engine.stats()),
    summaryBytesMax: summaryMax,
    summaryBytesMean: summaries > 0 ? summaryBytes / summaries : 0,
    heapBytes: mem.heapUsed + mem.arrayBuffers,
  };
}

/** Detection kinds in report order. */
export const EVAL_KINDS: readonly DetectionKind[] = [
  "credential_stuffing",
  "brute_force",
  "enumeration",
  "volumetric",
  "error_rate",
  "payload",
  "fingerprint_churn",
];
