import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fullTestAdminApi, type TestAdminApi } from "../test/admin-app.js";

/**
 * Issue 21 point 2, the admin API: every operation of the OpenAPI document (`/v1/openapi.json`)
 * is driven with generated requests — path and query parameters from existing ids, boundary and
 * hostile strings; bodies built from the operation's own JSON schema with boundary values, wrong
 * types, missing and unknown fields, or not JSON at all. What a user checks: never a 5xx for a
 * client's mistake, every refusal is a JSON error with a stable code, and a refused request
 * writes nothing (the config dump, versions, tokens, roles, join tokens, rollouts, telemetry
 * settings and the anomaly-detection draft read the same before and after). Seeded; `FUZZ_CALLS` raises the count
 * (`npm run fuzz:admin`: 100,000 calls).
 */

const CALLS = Number(process.env.FUZZ_CALLS ?? 400);

type Schema = any;
type Method = "GET" | "POST" | "PUT" | "DELETE";

interface Operation {
  readonly method: Method;
  /** OpenAPI path with `{name}` parameters. */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly query: ReadonlyArray<{ name: string; schema: Schema }>;
  readonly body: Schema | undefined;
}

/** Ids that exist in the seeded store, per path parameter name, so calls reach past the 404. */
const EXISTING: Record<string, readonly string[]> = {
  id: ["u1", "r1", "p1", "c1", "crs-4.28.0", "self"],
  credentialId: ["k1"],
  version: ["1", "2"],
  name: ["admin", "viewer", "custom-role"],
  target_type: ["address", "consumer"],
  target_id: ["203.0.113.7"],
};

const HOSTILE_STRINGS = [
  "",
  " ",
  "a".repeat(300),
  "x".repeat(5000),
  "..",
  "../../etc/passwd",
  "%00",
  "\u0000",
  "a\r\nX-Injected: 1",
  "\u202e",
  "😀",
  "null",
  "-1",
  "1e309",
  "0x10",
  "__proto__",
  "constructor",
  "<script>",
  "' OR '1'='1",
  "*",
  "/",
  "//",
  "127.0.0.1",
  "::1",
];

const arbHostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: "binary", maxLength: 80 }));
const arbAnyJson: fc.Arbitrary<unknown> = fc.oneof(
  arbHostileString,
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1.5, Number.MAX_VALUE),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.constant({ __proto__: { polluted: true } }),
);

/** A value for `schema`: mostly of its type with boundary values, sometimes of any type. */
function arbFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return arbAnyJson;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0)
    return fc.oneof(...variants.map((v: Schema) => arbFor(v, depth + 1)));
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: arbAnyJson });
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const own = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case "string": {
        const min = schema.minLength ?? 0;
        const max = Math.min(schema.maxLength ?? 64, 2000);
        return fc.oneof(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
          fc.constantFrom("x".repeat(Math.max(0, min - 1)), "x".repeat(max), "x".repeat(max + 1)),
          arbHostileString,
        );
      }
      case "integer":
      case "number": {
        const lo = schema.minimum ?? -(2 ** 31);
        const hi = schema.maximum ?? 2 ** 31;
        const min = Math.max(lo, -1e9);
        const max = Math.min(hi, 1e9);
        // A number's bounds may be fractions (`minimum: 0.01`), which fc.integer refuses.
        const inRange =
          type === "integer"
            ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
            : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
        return fc.oneof(inRange, fc.constantFrom(lo - 1, lo, hi, hi + 1, 0.5));
      }
      case "boolean":
        return fc.boolean();
      case "array": {
        const max = Math.min(schema.maxItems ?? 4, 4);
        return fc.oneof(
          fc.array(arbFor(schema.items, depth + 1), { maxLength: max }),
          fc.array(arbFor(schema.items, depth + 1), { minLength: max + 1, maxLength: max + 2 }),
        );
      }
      case "object": {
        const props: Record<string, Schema> = schema.properties ?? {};
        const keys = Object.keys(props);
        const entries = keys.map((k) => fc.option(arbFor(props[k], depth + 1), { nil: undefined, freq: 3 }));
        return fc
          .tuple(fc.tuple(...entries), fc.option(fc.tuple(arbHostileString, arbAnyJson), { nil: undefined, freq: 4 }))
          .map(([values, extra]) => {
            const o: Record<string, unknown> = {};
            keys.forEach((k, i) => {
              if (values[i] !== undefined) o[k] = values[i];
            });
            if (extra) o[extra[0]] = extra[1];
            return o;
          });
      }
      default:
        return arbAnyJson;
    }
  })();
  return fc.oneof({ weight: 6, arbitrary: own }, { weight: 1, arbitrary: arbAnyJson });
}

/** The document's operations (the OIDC flow and the document itself left out: they are not config). */
function operationsOf(doc: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    if (path.startsWith("/v1/auth/oidc") || path.startsWith("/v1/docs")) continue;
    for (const m of ["get", "post", "put", "delete"] as const) {
      const op = item[m];
      if (!op) continue;
      const params: Schema[] = op.parameters ?? [];
      out.push({
        method: m.toUpperCase() as Method,
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params.filter((p) => p.in === "query").map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return out;
}

/** Everything a refused request must leave as it was. */
async function state(call: TestAdminApi["call"]): Promise<string> {
  const reads = [
    "/v1/config/dump",
    "/v1/config/versions?limit=1000",
    "/v1/tokens",
    "/v1/roles",
    "/v1/nodes/join-tokens",
    "/v1/rollouts",
    "/v1/telemetry",
    "/v1/settings",
    "/v1/rule-sets",
    "/v1/anomalies/config",
  ];
  const parts = [];
  for (const url of reads) {
    const r = await call("GET", url);
    // A read that volunteers the time it was made is not a write: only ids and contents count.
    parts.push(`${url} ${r.status} ${r.text.replace(/"(last_used_at|generated_at|now)":"[^"]*"/g, "")}`);
  }
  return parts.join("\n");
}

async function seeded(): Promise<TestAdminApi> {
  const app = fullTestAdminApi();
  const ok = async (method: Method, url: string, body?: unknown) => {
    const r = await app.call(method, url, body);
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
  };
  await ok("POST", "/v1/upstreams", { name: "u1", targets: [{ host: "127.0.0.1", port: 8080 }] });
  await ok("POST", "/v1/routes", { name: "r1", paths: ["/a"], upstream: "u1" });
  await ok("POST", "/v1/policies", {
    name: "p1",
    type: "rate-limit",
    config: { limits: [{ requests: 10, per: "minute" }] },
  });
  await ok("POST", "/v1/consumers", { name: "c1" });
  await ok("POST", "/v1/config/versions", { message: "one" });
  return app;
}

test("fuzz: the admin API driven from its OpenAPI document never answers 5xx to a client's mistake, and a refusal writes nothing", async (t) => {
  const app = await seeded();
  const doc = (await app.call("GET", "/v1/openapi.json", undefined, { token: "" })).body;
  const ops = operationsOf(doc);
  assert.ok(ops.length > 60, `${ops.length} operations`);

  const arbCall = fc.integer({ min: 0, max: ops.length - 1 }).chain((i) => {
    const op = ops[i] as Operation;
    return fc.record({
      op: fc.constant(op),
      params: fc.tuple(
        ...op.pathParams.map((name) =>
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...(EXISTING[name] ?? ["x"])) },
            { weight: 1, arbitrary: arbHostileString },
          ),
        ),
      ),
      query: fc.tuple(...op.query.map((q) => fc.option(arbFor(q.schema), { nil: undefined }))),
      body: op.body
        ? fc.oneof(
            { weight: 6, arbitrary: arbFor(op.body).map((v) => ({ json: v })) },
            {
              weight: 1,
              arbitrary: fc.constantFrom("{", "[1,", "\u0000", "null", '{"a":1}{"b":2}').map((raw) => ({ raw })),
            },
          )
        : fc.constant(undefined),
    });
  });

  const statuses: Record<string, number> = {};
  let refusals = 0;
  await fc.assert(
    fc.asyncProperty(arbCall, async ({ op, params, query, body }) => {
      let url = op.path;
      op.pathParams.forEach((name, i) => {
        url = url.replace(`{${name}}`, encodeURIComponent(String(params[i])));
      });
      const qs = op.query
        .map((q, i) => (query[i] === undefined ? undefined : `${q.name}=${encodeURIComponent(String(query[i]))}`))
        .filter(Boolean)
        .join("&");
      if (qs) url += `?${qs}`;
      const before = await state(app.call);
      const payload = body === undefined ? undefined : "raw" in body ? body.raw : JSON.stringify(body.json);
      const r = await app.api.inject({
        method: op.method,
        url,
        headers: {
          authorization: "Bearer test-admin-token-0123456789",
          ...(payload !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(payload !== undefined ? { payload } : {}),
      });
      const key = `${op.method} ${op.path} ${r.statusCode}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      const shown = url.length > 200 ? `${url.slice(0, 200)}…(${url.length} chars)` : url;
      assert.ok(r.statusCode < 500, `${op.method} ${shown} → ${r.statusCode} ${r.body.slice(0, 300)}`);
      if (r.statusCode >= 400) {
        refusals++;
        const error = JSON.parse(r.body).error;
        assert.match(
          String(error?.code),
          /^[A-Z][A-Z0-9_]+$/,
          `${op.method} ${shown}: a stable error code, got ${r.body.slice(0, 200)}`,
        );
        assert.equal(await state(app.call), before, `${op.method} ${shown} → ${r.statusCode} wrote something`);
      }
    }),
    { numRuns: CALLS, seed: 2121 },
  );
  const operationsHit = new Set(Object.keys(statuses).map((k) => k.split(" ").slice(0, 2).join(" "))).size;
  t.diagnostic(`${CALLS} calls over ${operationsHit} of ${ops.length} operations, ${refusals} refusals`);
  assert.ok(refusals > 0 && refusals < CALLS, "the calls reach both refusals and acceptances");
});
