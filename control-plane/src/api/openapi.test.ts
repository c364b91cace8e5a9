import assert from "node:assert/strict";
import { test } from "node:test";
import { fullTestAdminApi } from "../test/admin-app.js";

test("every endpoint fastify serves is in the OpenAPI 3.1 document, which is public; the UI is served offline", async () => {
  const { api, call } = fullTestAdminApi();
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
  assert.deepEqual(put.requestBody.content["application/json"].schema.required, ["name", "upstream"]);
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
