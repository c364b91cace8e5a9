#!/usr/bin/env node
// Micro-benchmark: the `jwt` policy's check() on one request view, per algorithm, with its
// verified-token cache on (every call after the first is a hit) and off (`cache: false`: one
// signature verification per call), beside jose's jwtVerify (WebCrypto) as the previous
// implementation's cost. In-process, single thread, no network. Not part of `npm test`.
//
//   npx tsc -b && node bench/micro/jwt-verify.mjs [--ms 2000]
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { JwtPolicySchema } from "@palisade/proto";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { NO_CONSUMERS } from "../../data-plane/dist/policies/auth/consumers.js";
import { createJwtPolicy } from "../../data-plane/dist/policies/jwt/jwt-policy.js";
import { createPolicyResources } from "../../data-plane/dist/policies/registry.js";

const { values } = parseArgs({ options: { ms: { type: "string", default: "2000" } } });
const budgetMs = Number(values.ms);
const resources = createPolicyResources();

/** Runs `fn` (sync or async) for about `budgetMs` and returns calls per second. */
async function measure(fn) {
  for (let i = 0; i < 200; i++) await fn(); // warm up (JIT, caches)
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 100; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    n += 100;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

async function keysFor(alg) {
  if (alg.startsWith("HS")) {
    const secret = createHash("sha256").update("bench-secret").digest();
    const jwk = { kty: "oct", kid: "k", k: secret.toString("base64url") };
    return { jwk, sign: (t) => t.sign(secret) };
  }
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { jwk: { ...(await exportJWK(publicKey)), kid: "k" }, sign: (t) => t.sign(privateKey) };
}

const rows = [];
for (const alg of ["RS256", "ES256", "EdDSA", "HS256"]) {
  const k = await keysFor(alg);
  const token = await k.sign(
    new SignJWT({ sub: "bench-user" })
      .setProtectedHeader({ alg, kid: "k" })
      .setIssuer("https://idp.bench")
      .setAudience("bench")
      .setIssuedAt()
      .setExpirationTime("1h"),
  );
  const jwks = { keys: [k.jwk] };
  const cfg = (cache) =>
    create(JwtPolicySchema, {
      jwksJson: JSON.stringify(jwks),
      algorithms: [alg],
      issuers: ["https://idp.bench"],
      audiences: ["bench"],
      leewayS: 60,
      claimsToHeaders: { sub: "X-User" },
      disableCache: !cache,
    });
  const ctx = { id: "bench", warn: () => {}, consumers: NO_CONSUMERS };
  const req = {
    method: "GET",
    path: "/full",
    query: "",
    headers: { host: "bench", authorization: `Bearer ${token}` },
    rawHeaders: ["Host", "bench", "Authorization", `Bearer ${token}`],
  };
  const cached = createJwtPolicy(cfg(true), ctx, resources.remoteJwks);
  const uncached = createJwtPolicy(cfg(false), ctx, resources.remoteJwks);
  for (const p of [cached, uncached]) {
    const o = await p.check(req);
    if (!o.allow) throw new Error(`${alg}: the bench token was refused (${o.reason})`);
  }
  const hit = await measure(() => cached.check(req));
  const miss = await measure(() => uncached.check(req));
  const local = alg.startsWith("HS") ? undefined : createLocalJWKSet(jwks);
  const secret = alg.startsWith("HS") ? createHash("sha256").update("bench-secret").digest() : undefined;
  const opts = { algorithms: [alg], issuer: "https://idp.bench", audience: "bench" };
  const jose = await measure(() => jwtVerify(token, local ?? secret, opts));
  rows.push([alg, hit, miss, jose]);
}
await resources.close();

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const us = (n) => (1e6 / n).toFixed(1);
console.log(`jwt policy check() per call, ${budgetMs} ms per cell, node ${process.version}\n`);
console.log(
  "| alg | cache on (hit) calls/s | µs | cache off (node:crypto verify) calls/s | µs | jose jwtVerify calls/s | µs |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [alg, hit, miss, jose] of rows) {
  console.log(`| ${alg} | ${fmt(hit)} | ${us(hit)} | ${fmt(miss)} | ${us(miss)} | ${fmt(jose)} | ${us(jose)} |`);
}
