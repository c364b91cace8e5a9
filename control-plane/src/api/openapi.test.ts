import assert from "node:assert/strict";
import { test } from "node:test";
import { fullTestAdminApi } from "../test/admin-app.js";

test("every endpoint fastify serves is in the OpenAPI 3.1 document, which is public; the UI is served offline", async () => {
  const { api, call } = await fullTestAdminApi();
  // Walk the routes as fastify registers them (not the document's own list).
  const routes: Array<[string, string]> = [];
  // /v1/info lists every /v1 route from fastify's onRoute hook, as each is registered.
  const info = await call("GET", "/v1/info");
  for (const e of info.body.endpoints as string[]) routes.push(e.split(" ") as [string, string]);
  routes.push(["GET", "/healthz"]);
  assert.ok(routes.length > 40);

  const doc = await call("GET", "/v1/openapi.json", undefined, { token: "" });
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, "3.1.0");
  const missing = routes.filter(([method, url]) => {
    const path = url.replace(/:([A-Za-z_]+)/g, "{$1}");
    return !doc.body.paths[path]?.[method.toLowerCase()];
  });
  assert.deepEqual(missing, [], "endpoints missing from the OpenAPI document");
  // Route schemas are the document's: a body's fields, an error's shape, the bearer scheme.
  const put = doc.body.paths["/v1/routes/{id}"].put;
  // `upstream` is required unless the route answers itself (redirect, direct_response: issue 22).
  const routeBody = put.requestBody.content["application/json"].schema;
  assert.deepEqual(routeBody.required, ["name"]);
  assert.ok(routeBody.properties.upstream && routeBody.properties.redirect && routeBody.properties.headers);
  assert.ok(put.responses["4XX"].content["application/json"].schema.properties.error);
  assert.deepEqual(doc.body.components.securitySchemes.bearer, { type: "http", scheme: "bearer" });
  assert.equal(doc.body.paths["/v1/openapi.json"], undefined);

  const ui = await api.inject({ method: "GET", url: "/v1/docs/" });
  assert.equal(ui.statusCode, 200);
  assert.match(ui.body, /swagger-ui/);
  assert.doesNotMatch(
    ui.body,
    /https?:\/\/(?!127\.0\.0\.1)[a-z0-9.-]+\/[^"']*\.(js|css)/i,
    "no script or style from a CDN",
  );
  const bundle = await api.inject({ method: "GET", url: "/v1/docs/static/swagger-ui-bundle.js" });
  assert.equal(bundle.statusCode, 200);
  // The API itself still needs a token.
  assert.equal((await call("GET", "/v1/routes", undefined, { token: "" })).status, 401);
});

test("every route declares its answers: a 2xx schema (what fastify serializes with) and the error body for 4xx and 5xx", async () => {
  const { call } = await fullTestAdminApi();
  // The routes as fastify registers them (/v1/info collects them from fastify's onRoute hook);
  // the document's responses are the routes' own `schema.response` (openapi.ts adds none).
  const routes = ((await call("GET", "/v1/info")).body.endpoints as string[]).map(
    (e) => e.split(" ") as [string, string],
  );
  routes.push(["GET", "/healthz"]);
  const doc = (await call("GET", "/v1/openapi.json", undefined, { token: "" })).body;
  const without: string[] = [];
  for (const [method, url] of routes) {
    const responses = doc.paths[url.replace(/:([A-Za-z_]+)/g, "{$1}")]?.[method.toLowerCase()]?.responses ?? {};
    const ok = Object.keys(responses).filter((k) => /^(2\d\d|2XX|30\d)$/.test(k));
    if (ok.length === 0) without.push(`${method} ${url}: no success answer`);
    for (const k of ok)
      if (k !== "204" && k !== "302" && !responses[k].content)
        without.push(`${method} ${url}: ${k} has no body schema`);
    for (const k of ["4XX", "5XX"])
      if (!responses[k]?.content?.["application/json"]?.schema?.properties?.error)
        without.push(`${method} ${url}: no ${k} error body`);
  }
  assert.ok(routes.length > 80);
  assert.deepEqual(without, [], "routes that do not describe their answers");

  // What the generated web admin types read: a resource's answer, the error body, a token page.
  const get = doc.paths["/v1/routes/{id}"].get.responses;
  const route = get["200"].content["application/json"].schema;
  assert.ok(route.properties.upstream && route.properties.created_at && route.required.includes("id"));
  const err = get["4XX"].content["application/json"].schema;
  assert.deepEqual(err.properties.error.required, ["code", "message"]);
  assert.ok(err.properties.error.properties.field);
  const tokens = doc.paths["/v1/tokens"].get.responses["200"].content["application/json"].schema;
  assert.ok(tokens.properties.items.items.properties.state.enum.includes("revoked"));
});
