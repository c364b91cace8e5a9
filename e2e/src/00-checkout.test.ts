/**
 * Tier 0: a fresh clone stands on its own. Nothing committed may point at a file outside the
 * repository (a notes folder next to the checkout, an absolute path of one machine): every
 * relative link of every Markdown file resolves to a file in the checkout, and no file names a
 * document that only exists on the machines the project was developed on. And the first-run
 * promises hold: the root package exposes `palisadectl` through a committed, executable launcher
 * (so `npx palisadectl` works once `npm ci` linked it), `npm ci` installs no bench-only
 * package, and the demo's ports can be moved (a taken one is named with its flag).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./harness/process.js";

/** Folders that are built, installed or vendored, never written by the project. */
const SKIP = new Set([
  "node_modules",
  "dist",
  ".git",
  ".tsc",
  "var",
  "test-artifacts",
  ".cache",
  "third_party",
  "palisade-state",
]);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

const all = files(REPO_ROOT);
const text = all.filter(
  (f) => /\.(?:md|ts|tsx|mjs|js|json|ya?ml|css|html)$/.test(f) && !f.endsWith("package-lock.json"),
);

test("every relative link in the Markdown files resolves to a file inside the checkout", () => {
  const broken: string[] = [];
  for (const f of text.filter((x) => x.endsWith(".md"))) {
    const body = readFileSync(f, "utf8").replace(/```[\s\S]*?```/g, "");
    for (const m of body.matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^(?:[a-z]+:|#)/i.test(href)) continue;
      const target = resolve(dirname(f), decodeURI(href.split("#")[0]!));
      const rel = relative(REPO_ROOT, target);
      if (rel.startsWith(`..${sep}`) || rel === ".." || !existsSync(target))
        broken.push(`${relative(REPO_ROOT, f)}: ${href}`);
    }
  }
  assert.deepEqual(broken, []);
});

test("no file names a document or path that only exists outside the repository", () => {
  // The development machines' notes (toolchain, design, style, the helper brief, the case
  // catalogue) and their absolute paths: a clone has none of them.
  const outside =
    /\bTOOLCHAIN\.md\b|\bHELPER-BRIEF\b|\.\.\/shared\/|\bshared\/(?:cases|DESIGN|STYLE)|\/work\/(?:main|wt|shared)\b/;
  const found = text
    .filter((f) => !f.endsWith(`00-checkout.test.ts`))
    .flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => [f, i + 1, line] as const)
        .filter(([, , line]) => outside.test(line))
        .map(([file, n, line]) => `${relative(REPO_ROOT, file)}:${n}: ${line.trim()}`),
    );
  assert.deepEqual(found, []);
});

test("npx palisadectl: the root package and the control plane expose committed, executable launchers", () => {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  assert.equal(root.bin?.palisadectl, "control-plane/bin/palisadectl.js");
  for (const [pkg, bins] of [
    ["control-plane", ["palisade-cp", "palisadectl"]],
    ["data-plane", ["palisade-dp"]],
  ] as const) {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, pkg, "package.json"), "utf8"));
    for (const name of bins) {
      const launcher = manifest.bin[name] as string;
      assert.ok(!launcher.includes("dist/"), `${pkg} ${name}: a bin in dist/ does not exist when npm ci links it`);
      const file = join(REPO_ROOT, pkg, launcher);
      accessSync(file, constants.X_OK);
      assert.match(readFileSync(file, "utf8"), /^#!\/usr\/bin\/env node\n/);
    }
  }
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
  assert.deepEqual(lock.packages[""].bin, root.bin, "the lockfile was regenerated with the bin");
});

test("npm ci installs what the product and its tests need: the bench's API description is installed on demand", () => {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  assert.equal(root.devDependencies["@octokit/openapi"], undefined);
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
  assert.equal(lock.packages["node_modules/@octokit/openapi"], undefined);
  // Pinned where the bench and the tests that import the description share it.
  assert.match(
    readFileSync(join(REPO_ROOT, "test-support/src/github-api.ts"), "utf8"),
    /OPENAPI_PACKAGE = "@octokit\/openapi@/,
  );
  assert.match(readFileSync(join(REPO_ROOT, ".gitignore"), "utf8"), /^\/bench\/\.cache\/$/m);
});

test("npm start's ports: flags and PALISADE_DEMO_* variables; a taken port is named with its flag before anything starts", async () => {
  const demo = join(REPO_ROOT, "deploy/demo/demo.mjs");
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [demo, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  const help = run(["--help"]);
  assert.equal(help.status, 0);
  for (const v of ["ADMIN_PORT", "SYNC_PORT", "UPSTREAM_PORT", "IDP_PORT", "PROXY_PORTS", "TLS_PORTS", "STATUS_PORTS"])
    assert.match(help.stdout, new RegExp(`PALISADE_DEMO_${v}`));
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  for (const flag of help.stdout.matchAll(/--([a-z-]+-ports?)\b/g))
    assert.match(readme, new RegExp(`\`--${flag[1]}\``), `README documents --${flag[1]}`);
  const bad = run([], { PALISADE_DEMO_PROXY_PORTS: "8000" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /PALISADE_DEMO_PROXY_PORTS: "8000" is not two ports/);
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
  try {
    const port = (holder.address() as AddressInfo).port;
    const taken = run(["--admin-port", String(port)]);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, new RegExp(`port ${port} is in use.*--admin-port`));
  } finally {
    holder.close();
  }
});
