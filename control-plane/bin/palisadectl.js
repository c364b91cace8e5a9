#!/usr/bin/env node
// `palisadectl` from a checkout (`npx palisadectl`). The command is compiled to dist/ by `npm run build`,
// which is not committed; this launcher is, with its executable bit, so `npm ci` links it as
// the package's bin before dist/ exists (a bin pointing into dist/ is linked without it: npx
// then fails with "Permission denied").
import { existsSync } from "node:fs";

const entry = new URL("../dist/bin/palisadectl.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("palisadectl: not built yet: run `npm run build` in the checkout first\n");
  process.exit(1);
}
await import(entry.href);
