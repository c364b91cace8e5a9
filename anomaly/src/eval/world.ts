import { AuthOutcome } from "../record/layout.js";
import { type Rng, Zipf } from "./rng.js";

/**
 * The evaluation's normal world: an API with eight routes behind five upstreams, and a population
 * of users with log-normal request rates (a few heavy partner integrations, users behind shared
 * NAT addresses), Zipf-distributed paths, a diurnal-ish rate swing, genuine login failures with
 * retries, 404s, expired tokens and background 5xx. Nothing here is an attack.
 */

/** One simulated request, with its ground truth (`attack` = index of the attack, -1 = normal). */
export interface SimRequest {
  t: number;
  node: number;
  route: string;
  upstream: string;
  method: string;
  path: string;
  address: string;
  userAgent: string | undefined;
  consumer: string | undefined;
  credential: string | undefined;
  contentType: string | undefined;
  status: number;
  auth: AuthOutcome;
  bytes: number;
  attack: number;
}

/** A route of the simulated API. */
export interface SimRoute {
  readonly id: string;
  readonly method: string;
  readonly upstream: string;
  /** Needs a credential (JWT or API key). */
  readonly authed: boolean;
  /** Share of a user's requests. */
  readonly weight: number;
}

export const ROUTES: readonly SimRoute[] = [
  { id: "login", method: "POST", upstream: "auth", authed: false, weight: 0.05 },
  { id: "users", method: "GET", upstream: "users", authed: true, weight: 0.15 },
  { id: "products", method: "GET", upstream: "catalog", authed: false, weight: 0.25 },
  { id: "catalog", method: "GET", upstream: "catalog", authed: false, weight: 0.2 },
  { id: "search", method: "GET", upstream: "catalog", authed: false, weight: 0.15 },
  { id: "account", method: "GET", upstream: "users", authed: true, weight: 0.08 },
  { id: "orders", method: "POST", upstream: "orders", authed: true, weight: 0.08 },
  { id: "upload", method: "POST", upstream: "files", authed: true, weight: 0.04 },
];
export const UPSTREAMS = ["auth", "users", "catalog", "orders", "files"] as const;

const BROWSERS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
  "okhttp/4.12.0",
  "shop-app/5.2 (iOS 18.1)",
  "shop-app/5.2 (Android 15)",
];

/** A normal client. */
export interface User {
  readonly address: string;
  readonly node: number;
  readonly userAgent: string;
  readonly consumer: string | undefined;
  readonly credential: string | undefined;
  /** Requests per second at the diurnal mean. */
  readonly rate: number;
  /** A partner integration walking product ids in order (a legitimate sequential reader). */
  readonly sequential: boolean;
  /** Restricted to these routes (partners), or all. */
  readonly routes: readonly SimRoute[] | undefined;
}

/** Options of the normal population. */
export interface WorldOptions {
  /** Normal users (besides NAT groups and partners). */
  readonly users: number;
  /** Addresses shared by many users. */
  readonly natAddresses: number;
  /** Heavy partner integrations (one of them reads sequentially). */
  readonly partners: number;
  /** Period of the diurnal swing, s, and its amplitude (share of the mean). */
  readonly dayS: number;
  readonly swing: number;
}

function v4(rng: Rng, a: number, b: number): string {
  return `${a}.${b}.${rng.int(256)}.${1 + rng.int(254)}`;
}

/** A population of normal users. */
export function population(rng: Rng, o: WorldOptions): User[] {
  const users: User[] = [];
  const nats = Array.from({ length: o.natAddresses }, () => v4(rng, 100, 64 + rng.int(64)));
  for (let i = 0; i < o.users; i++) {
    const nat = rng.chance(0.15) ? rng.pick(nats) : undefined;
    const address =
      nat ??
      (rng.chance(0.05)
        ? `2001:db8:${rng.int(65536).toString(16)}::${(1 + rng.int(65535)).toString(16)}`
        : v4(rng, 11 + rng.int(180), rng.int(256)));
    const registered = rng.chance(0.6);
    users.push({
      address,
      node: i % 2,
      userAgent: BROWSERS[Math.min(BROWSERS.length - 1, Math.floor(-Math.log(1 - rng.next()) * 2))]!,
      consumer: registered ? `user-${i}` : undefined,
      credential: registered ? `key-${i}` : undefined,
      rate: rng.lognormal(0.6, 1.1) / 60,
      sequential: false,
      routes: undefined,
    });
  }
  const partnerRoutes = ROUTES.filter((r) => r.id === "products" || r.id === "catalog" || r.id === "orders");
  for (let p = 0; p < o.partners; p++) {
    users.push({
      address: v4(rng, 34, 100 + p),
      node: p % 2,
      userAgent: `partner-sync/${2 + p}.1`,
      consumer: `partner-${p}`,
      credential: `partner-key-${p}`,
      rate: p === 0 ? 4 : rng.range(6, 15),
      sequential: p === 0,
      routes: partnerRoutes,
    });
  }
  return users;
}

const productIds = new Zipf(20_000, 1.05);
const userIds = new Zipf(20_000, 1.0);
const slugs = new Zipf(2_000, 1.1);
const terms = new Zipf(5_000, 1.0);
const sections = ["profile", "settings", "orders", "billing", "security", "devices", "addresses", "tokens"];

/** Upstream faults injected by error-rate attacks: upstream → 5xx probability. */
export type Faults = Map<string, number>;

/**
 * One normal request of `u` at `t` (ms). `retries` receives genuine login retries to schedule.
 */
export function normalRequest(
  rng: Rng,
  u: User,
  t: number,
  seqCursor: { next: number },
  faults: Faults,
  retries: Array<{ t: number; user: User; attempt: number }>,
  attempt = 0,
): SimRequest {
  const pool = u.routes ?? ROUTES;
  let route = pool[0]!;
  if (attempt > 0) {
    route = ROUTES[0]!;
  } else {
    let x = rng.next() * pool.reduce((s, r) => s + r.weight, 0);
    for (const r of pool) {
      x -= r.weight;
      if (x < 0) {
        route = r;
        break;
      }
    }
    // Anonymous users stay on public routes (and log in).
    if (route.authed && u.consumer === undefined) route = rng.chance(0.3) ? ROUTES[0]! : ROUTES[2]!;
  }
  let path = "/";
  let status = 200;
  let auth: AuthOutcome = route.authed ? AuthOutcome.ok : AuthOutcome.none;
  let contentType: string | undefined;
  let bytes = 0;
  switch (route.id) {
    case "login": {
      path = "/v1/login";
      contentType = "application/json";
      bytes = Math.round(rng.range(90, 160));
      // Wrong passwords: 6 % of first attempts; people retry (and mostly succeed).
      const fails = attempt === 0 ? rng.chance(0.06) : rng.chance(0.35);
      if (fails) {
        status = 401;
        if (attempt < 3 && rng.chance(0.6))
          retries.push({ t: t + rng.range(4_000, 25_000), user: u, attempt: attempt + 1 });
      }
      break;
    }
    case "users": {
      const id = rng.chance(0.01) ? 20_000 + rng.int(20_000) : userIds.sample(rng);
      path = `/v1/users/${id}`;
      if (id > 20_000) status = 404;
      break;
    }
    case "products": {
      let id: number;
      if (u.sequential) {
        id = seqCursor.next;
        seqCursor.next = seqCursor.next >= 20_000 ? 1 : seqCursor.next + 1;
      } else {
        id = rng.chance(0.005) ? 20_000 + rng.int(5_000) : productIds.sample(rng);
      }
      path = `/v1/products/${id}`;
      if (id > 20_000) status = 404;
      break;
    }
    case "catalog":
      path = `/v1/catalog/item-${slugs.sample(rng)}`;
      if (rng.chance(0.003)) status = 404;
      break;
    case "search":
      path = `/v1/search/term-${terms.sample(rng)}`;
      break;
    case "account":
      path = `/v1/account/${rng.pick(sections)}`;
      break;
    case "orders":
      path = "/v1/orders";
      contentType = rng.chance(0.9) ? "application/json" : "application/json; charset=utf-8";
      bytes = Math.round(rng.lognormal(600, 0.5));
      if (rng.chance(0.004)) status = 422;
      break;
    case "upload":
      path = "/v1/files";
      contentType = rng.chance(0.7) ? "multipart/form-data; boundary=x" : "application/octet-stream";
      bytes = Math.round(rng.lognormal(40_000, 0.9));
      break;
  }
  // Expired or revoked tokens now and then: a genuine 401 on an authenticated route.
  if (route.authed && rng.chance(0.002)) {
    status = 401;
    auth = AuthOutcome.failed;
  }
  const fault = faults.get(route.upstream) ?? 0;
  if (status < 400 && (rng.chance(0.001) || (fault > 0 && rng.chance(fault)))) status = rng.chance(0.7) ? 502 : 503;
  return {
    t,
    node: u.node,
    route: route.id,
    upstream: route.upstream,
    method: route.method,
    path,
    address: u.address,
    userAgent: u.userAgent,
    consumer: route.authed && status !== 401 ? u.consumer : undefined,
    credential: route.authed ? u.credential : undefined,
    contentType,
    status,
    auth,
    bytes,
    attack: -1,
  };
}
