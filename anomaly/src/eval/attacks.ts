import type { DetectionKind } from "../detect/detection.js";
import { fnv1a } from "../record/hash.js";
import { AuthOutcome } from "../record/layout.js";
import type { Rng } from "./rng.js";
import type { Faults, SimRequest, User } from "./world.js";

/**
 * Injected attacks, one class of traffic each, with their ground truth: the subjects a correct
 * detection names (attacker addresses, the consumer or credential abused, the route or upstream
 * hit) and the detection kinds that count as finding it.
 */

/** One injected attack. */
export interface Attack {
  readonly index: number;
  readonly kind: DetectionKind;
  /** Variant, e.g. "distributed-2-nodes". */
  readonly variant: string;
  readonly startMs: number;
  readonly endMs: number;
  /** `type:id` of every subject a detection may name and be right. */
  readonly subjects: Set<string>;
  /** Subjects a detection of an accepted kind must name to count as finding the attack. */
  readonly primary: Set<string>;
  /** Detection kinds that count as finding it. */
  readonly accepts: readonly DetectionKind[];
  /** Adds the attack's requests in [t, t + dt) to `out` (and sets upstream faults). */
  emit(rng: Rng, t: number, dt: number, out: SimRequest[], faults: Faults): void;
}

const BOT_UAS = ["python-requests/2.32.3", "Go-http-client/1.1", "curl/8.5.0", "Mozilla/5.0 (compatible; bot)"];

/** Attacker addresses from documentation and benchmarking ranges (RFC 5737, RFC 2544). */
function attackerAddress(rng: Rng, i: number): string {
  return i % 3 === 0
    ? `198.${18 + rng.int(2)}.${rng.int(256)}.${1 + rng.int(254)}`
    : i % 3 === 1
      ? `203.0.${rng.int(256)}.${1 + rng.int(254)}`
      : `2001:db8:bad:${rng.int(65536).toString(16)}::${(1 + rng.int(65535)).toString(16)}`;
}

function base(
  attack: number,
  t: number,
  node: number,
  route: string,
  upstream: string,
  method: string,
  path: string,
  address: string,
  userAgent: string,
): SimRequest {
  return {
    t,
    node,
    route,
    upstream,
    method,
    path,
    address,
    userAgent,
    consumer: undefined,
    credential: undefined,
    contentType: undefined,
    status: 200,
    auth: AuthOutcome.none,
    bytes: 0,
    attack,
  };
}

/** Times of a Poisson process of `perS` events/s in [t, t + dt). */
function arrivals(rng: Rng, perS: number, t: number, dt: number): number[] {
  const n = rng.poisson((perS * dt) / 1000);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(t + rng.next() * dt);
  return out;
}

abstract class Base implements Attack {
  readonly subjects = new Set<string>();
  readonly primary = new Set<string>();
  abstract readonly kind: DetectionKind;
  abstract readonly accepts: readonly DetectionKind[];
  constructor(
    readonly index: number,
    readonly variant: string,
    readonly startMs: number,
    readonly endMs: number,
  ) {}
  abstract emit(rng: Rng, t: number, dt: number, out: SimRequest[], faults: Faults): void;
  protected both(s: string): void {
    this.subjects.add(s);
    this.primary.add(s);
  }
}

/** Credential stuffing: `addresses` addresses over both nodes, `perS` login attempts/s, 97 % failing. */
export class CredentialStuffing extends Base {
  readonly kind = "credential_stuffing";
  readonly accepts = ["credential_stuffing", "brute_force"] as const;
  readonly #addresses: string[];
  readonly #perS: number;

  constructor(rng: Rng, index: number, startMs: number, durationMs: number, perS: number, addresses: number) {
    super(index, `${addresses}-addresses-${perS}-per-s-2-nodes`, startMs, startMs + durationMs);
    this.#perS = perS;
    this.#addresses = Array.from({ length: addresses }, (_, i) => attackerAddress(rng, i));
    this.both("route:login");
    for (const a of this.#addresses) this.subjects.add(`address:${a}`);
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const i = rng.int(this.#addresses.length);
      const r = base(
        this.index,
        at,
        i % 2,
        "login",
        "auth",
        "POST",
        "/v1/login",
        this.#addresses[i]!,
        rng.pick(BOT_UAS),
      );
      r.contentType = "application/json";
      r.bytes = Math.round(rng.range(90, 160));
      r.status = rng.chance(0.97) ? 401 : 200;
      out.push(r);
    }
  }
}

/** Brute force from one address; `spread` splits it over both nodes (each under the node threshold). */
export class BruteForce extends Base {
  readonly kind = "brute_force";
  readonly accepts = ["brute_force", "credential_stuffing"] as const;
  readonly #address: string;
  readonly #perS: number;
  readonly #spread: boolean;
  readonly #node: number;

  constructor(rng: Rng, index: number, startMs: number, durationMs: number, perMin: number, spread: boolean) {
    super(index, spread ? `${perMin}-per-min-spread-2-nodes` : `${perMin}-per-min`, startMs, startMs + durationMs);
    this.#address = attackerAddress(rng, index);
    this.#perS = perMin / 60;
    this.#spread = spread;
    this.#node = rng.int(2);
    this.both(`address:${this.#address}`);
    this.subjects.add("route:login");
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const node = this.#spread ? rng.int(2) : this.#node;
      const r = base(this.index, at, node, "login", "auth", "POST", "/v1/login", this.#address, BOT_UAS[0]!);
      r.contentType = "application/json";
      r.bytes = Math.round(rng.range(90, 160));
      r.status = rng.chance(0.95) ? 401 : 200;
      out.push(r);
    }
  }
}

/** Enumeration: a sequential id walk, or random ids (mostly 404), from one address. */
export class Enumeration extends Base {
  readonly kind = "enumeration";
  readonly accepts = ["enumeration"] as const;
  readonly #address: string;
  readonly #perS: number;
  readonly #sequential: boolean;
  readonly #route: string;
  #cursor: number;
  readonly #node: number;
  readonly #consumer: string | undefined;

  constructor(rng: Rng, index: number, startMs: number, durationMs: number, perS: number, sequential: boolean) {
    const route = rng.chance(0.5) ? "users" : "products";
    super(index, `${sequential ? "sequential" : "random-ids"}-${route}-${perS}-per-s`, startMs, startMs + durationMs);
    this.#address = attackerAddress(rng, index);
    this.#perS = perS;
    this.#sequential = sequential;
    this.#route = route;
    this.#cursor = 1 + rng.int(15_000);
    this.#node = rng.int(2);
    this.#consumer = route === "users" ? `scraper-${index}` : undefined;
    this.both(`address:${this.#address}`);
    if (this.#consumer !== undefined) this.both(`consumer:${this.#consumer}`);
    // Its 404s land on the route and on the upstream behind it.
    this.subjects.add(`route:${route}`);
    this.subjects.add(`upstream:${route === "users" ? "users" : "catalog"}`);
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const id = this.#sequential ? this.#cursor++ : 1 + rng.int(1_000_000);
      const up = this.#route === "users" ? "users" : "catalog";
      const r = base(
        this.index,
        at,
        this.#node,
        this.#route,
        up,
        "GET",
        `/v1/${this.#route}/${id}`,
        this.#address,
        BOT_UAS[1]!,
      );
      r.status = id > 20_000 ? 404 : 200;
      if (this.#consumer !== undefined) {
        r.consumer = this.#consumer;
        r.auth = AuthOutcome.ok;
      }
      out.push(r);
    }
  }
}

/** Volumetric: one client bursting on a route (mostly repeated paths), or a flood from many addresses on both nodes. */
export class Volumetric extends Base {
  readonly kind = "volumetric";
  readonly accepts = ["volumetric"] as const;
  readonly #addresses: string[];
  readonly #perS: number;
  readonly #route: string;
  readonly #node: number;
  #next = 0;
  readonly #distinct: boolean;

  /** `addresses` 1 = a client burst; > 1 = a route flood; `distinct` = each address sends once (a 1M-address burst). */
  constructor(
    rng: Rng,
    index: number,
    startMs: number,
    durationMs: number,
    perS: number,
    addresses: number,
    distinct = false,
    route = rng.chance(0.5) ? "catalog" : "search",
  ) {
    super(
      index,
      addresses === 1
        ? `client-${perS}-per-s`
        : `${distinct ? "distinct" : "flood"}-${addresses}-addresses-${perS}-per-s`,
      startMs,
      startMs + durationMs,
    );
    this.#perS = perS;
    this.#route = route;
    this.#node = rng.int(2);
    this.#distinct = distinct;
    this.#addresses = distinct ? [] : Array.from({ length: addresses }, (_, i) => attackerAddress(rng, index * 7 + i));
    if (addresses === 1) this.both(`address:${this.#addresses[0]}`);
    else this.both(`route:${route}`);
    this.subjects.add(`route:${route}`);
    this.subjects.add("upstream:catalog");
    for (const a of this.#addresses) this.subjects.add(`address:${a}`);
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      let address: string;
      if (this.#distinct) {
        const n = this.#next++;
        address = `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
        this.subjects.add(`address:${address}`);
      } else {
        address = this.#addresses[rng.int(this.#addresses.length)]!;
      }
      const node = this.#addresses.length === 1 ? this.#node : rng.int(2);
      const path =
        this.#route === "catalog" ? `/v1/catalog/item-${1 + rng.int(20)}` : `/v1/search/term-${1 + rng.int(20)}`;
      out.push(base(this.index, at, node, this.#route, "catalog", "GET", path, address, BOT_UAS[2]!));
    }
  }
}

/** Error-rate jump: an upstream failing (5xx on its routes' normal traffic), or a broken client release sending 400s. */
export class ErrorRate extends Base {
  readonly kind = "error_rate";
  readonly accepts = ["error_rate"] as const;
  readonly #upstream: string;
  readonly #share: number;
  readonly #badClients: string[];
  readonly #perS: number;

  /** `upstream`: an upstream failing; else 400s at `perS` from a broken client release. */
  constructor(rng: Rng, index: number, startMs: number, durationMs: number, upstream: boolean, perS: number) {
    const up = rng.chance(0.5) ? "users" : "catalog";
    super(
      index,
      upstream ? `upstream-${up}-5xx` : `orders-400-from-a-broken-release-${Math.round(perS)}-per-s`,
      startMs,
      startMs + durationMs,
    );
    this.#upstream = upstream ? up : "";
    this.#share = upstream ? rng.range(0.25, 0.5) : 0;
    this.#perS = perS;
    this.#badClients = upstream ? [] : Array.from({ length: 40 }, (_, i) => attackerAddress(rng, index * 11 + i));
    if (upstream) {
      this.both(`upstream:${up}`);
      for (const r of up === "users" ? ["users", "account"] : ["products", "catalog", "search"])
        this.both(`route:${r}`);
    } else {
      this.both("route:orders");
      this.subjects.add("upstream:orders");
      for (const a of this.#badClients) this.subjects.add(`address:${a}`);
    }
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[], faults: Faults): void {
    if (this.#upstream !== "") {
      if (t + dt >= this.endMs) faults.delete(this.#upstream);
      else faults.set(this.#upstream, this.#share);
      return;
    }
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const r = base(
        this.index,
        at,
        rng.int(2),
        "orders",
        "orders",
        "POST",
        "/v1/orders",
        rng.pick(this.#badClients),
        "shop-app/5.3-beta",
      );
      r.contentType = "application/json";
      r.bytes = Math.round(rng.lognormal(300, 0.3));
      r.status = 400;
      out.push(r);
    }
  }
}

/** Unusual payloads from a registered client: oversized bodies or a content type new to the route. */
export class Payload extends Base {
  readonly kind = "payload";
  readonly accepts = ["payload"] as const;
  readonly #user: User;
  readonly #oversized: boolean;
  readonly #perS: number;

  constructor(rng: Rng, index: number, startMs: number, durationMs: number, user: User, perS: number) {
    const oversized = rng.chance(0.5);
    super(index, oversized ? "oversized-bodies" : "new-content-type", startMs, startMs + durationMs);
    this.#user = user;
    this.#oversized = oversized;
    this.#perS = perS;
    this.both(`address:${user.address}`);
    this.both(`consumer:${user.consumer}`);
    this.both(`credential:cred:${fnv1a(user.credential).toString(16).padStart(8, "0")}`);
    this.subjects.add("route:orders");
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const u = this.#user;
      const r = base(this.index, at, u.node, "orders", "orders", "POST", "/v1/orders", u.address, u.userAgent);
      r.consumer = u.consumer;
      r.credential = u.credential;
      r.auth = AuthOutcome.ok;
      r.contentType = this.#oversized
        ? "application/json"
        : rng.pick(["application/x-java-serialized-object", "application/xml"]);
      r.bytes = this.#oversized ? Math.round(rng.lognormal(200_000, 1)) : Math.round(rng.lognormal(800, 0.5));
      r.status = this.#oversized ? 413 : 400;
      out.push(r);
    }
  }
}

/** Fingerprint churn: a registered consumer's leaked key used from many addresses and user agents on both nodes. */
export class FingerprintChurn extends Base {
  readonly kind = "fingerprint_churn";
  readonly accepts = ["fingerprint_churn"] as const;
  readonly #user: User;
  readonly #addresses: string[];
  readonly #uas: string[];
  readonly #perS: number;

  constructor(rng: Rng, index: number, startMs: number, durationMs: number, user: User, perS: number) {
    super(index, `leaked-key-${perS}-per-s`, startMs, startMs + durationMs);
    this.#user = user;
    this.#perS = perS;
    this.#addresses = Array.from({ length: 40 }, (_, i) => attackerAddress(rng, index * 13 + i));
    this.#uas = Array.from({ length: 30 }, (_, i) => `Mozilla/5.0 (bot ${index}.${i})`);
    this.both(`consumer:${user.consumer}`);
    this.both(`credential:cred:${fnv1a(user.credential).toString(16).padStart(8, "0")}`);
    for (const a of this.#addresses) this.subjects.add(`address:${a}`);
    this.subjects.add("route:account");
    this.subjects.add("route:orders");
  }

  emit(rng: Rng, t: number, dt: number, out: SimRequest[]): void {
    for (const at of arrivals(rng, this.#perS, t, dt)) {
      const i = rng.int(this.#addresses.length);
      const route = rng.chance(0.5) ? "account" : "orders";
      const r = base(
        this.index,
        at,
        i % 2,
        route,
        route === "account" ? "users" : "orders",
        route === "account" ? "GET" : "POST",
        route === "account" ? "/v1/account/orders" : "/v1/orders",
        this.#addresses[i]!,
        rng.pick(this.#uas),
      );
      r.consumer = this.#user.consumer;
      r.credential = this.#user.credential;
      r.auth = AuthOutcome.ok;
      if (route === "orders") {
        r.contentType = "application/json";
        r.bytes = Math.round(rng.lognormal(600, 0.5));
      }
      out.push(r);
    }
  }
}
