#!/usr/bin/env node
// The web admin's API types, generated from the control plane's OpenAPI document (the one
// GET /v1/openapi.json serves) with openapi-typescript, into src/api/openapi.d.ts.
//   node web-admin/scripts/api-types.mjs          regenerate
//   node web-admin/scripts/api-types.mjs --check  fail when the committed file differs (npm test runs this)
// Needs the control plane built (npm run build / tsc -b).
import { readFileSync, writeFileSync } from "node:fs";
import { openApiDocument } from "@palisade/control-plane";
import openapiTS, { astToString } from "openapi-typescript";

const target = new URL("../src/api/openapi.d.ts", import.meta.url);
const header =
  "// Generated from the control plane's OpenAPI document by web-admin/scripts/api-types.mjs: do not edit.\n" +
  "// Regenerate with `node web-admin/scripts/api-types.mjs` after changing an admin API route schema.\n\n";
const doc = await openApiDocument();
const text = header + astToString(await openapiTS(doc, { alphabetize: true }));

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(target, "utf8");
  } catch {}
  if (committed !== text) {
    process.stderr.write(
      "web-admin/src/api/openapi.d.ts is not what the control plane's OpenAPI document generates: " +
        "run `node web-admin/scripts/api-types.mjs` and commit the result\n",
    );
    process.exit(1);
  }
  process.stdout.write("web-admin/src/api/openapi.d.ts matches the OpenAPI document\n");
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
