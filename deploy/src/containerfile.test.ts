// The Containerfile, checked statically (no container engine runs on these machines): the linter
// of VS Code's Docker support (dockerfile-utils) finds nothing, and the structure is what the
// image promises: an official Node 20 slim base, a builder stage that compiles the native modules
// and prunes dev dependencies, a runtime stage without a compiler, running as a fixed non-root
// user with its state in a volume, a HEALTHCHECK, and the vendored CRS copied in.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { REPO_ROOT } from "./k8s-tools.js";

const FILE = join(REPO_ROOT, "deploy", "container", "Containerfile");
const text = readFileSync(FILE, "utf8");
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const keyword = (i: Instruction) => i.getKeyword();
const lines = text.split("\n");
/** The instruction's arguments as written, flags included (its line without the keyword). */
const args = (i: Instruction) =>
  lines
    .slice(i.getRange().start.line, i.getRange().end.line + 1)
    .join("\n")
    .slice(keyword(i).length)
    .trim();

/** Instructions by stage: [builder, runtime]. */
function stages(): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of instructions) {
    if (keyword(i) === "FROM") out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

test("dockerfile-utils finds no problem in the Containerfile, and does in a broken one", () => {
  assert.deepEqual(
    validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
    [],
  );
  const broken = text
    .replace("HEALTHCHECK --interval=10s", "HEALTHCHECK --intervall=10s")
    .replace("USER 10001:10001", "USER");
  assert.ok(validate(broken).length >= 2, "the linter reports a misspelt flag and an empty USER");
});

test("two stages on the official Node 20 slim image; the runtime stage has no compiler and runs as a non-root user", () => {
  const arg = instructions.find((i) => keyword(i) === "ARG" && args(i).startsWith("NODE_IMAGE="));
  assert.equal(args(arg!), "NODE_IMAGE=docker.io/library/node:20-bookworm-slim");
  const [build, runtime] = stages();
  assert.ok(build && runtime && stages().length === 2);
  assert.match(args(build[0]!), /^\$\{NODE_IMAGE\} AS build$/);
  assert.match(args(runtime[0]!), /^\$\{NODE_IMAGE\}$/);
  const buildRuns = build
    .filter((i) => keyword(i) === "RUN")
    .map(args)
    .join("\n");
  assert.match(buildRuns, /apt-get install -y --no-install-recommends python3 make g\+\+/);
  assert.match(buildRuns, /^npm ci$/m);
  assert.match(buildRuns, /npm prune --omit=dev/);
  const runtimeRuns = runtime
    .filter((i) => keyword(i) === "RUN")
    .map(args)
    .join("\n");
  assert.doesNotMatch(runtimeRuns, /apt-get|npm /, "nothing is installed or built in the runtime stage");
  for (const i of runtime.filter((x) => keyword(x) === "COPY"))
    assert.match(args(i), /^--from=build /, "the runtime stage copies only from the builder");
  const user = runtime.filter((i) => keyword(i) === "USER").map(args);
  assert.deepEqual(user, ["10001:10001"], "a fixed numeric user (runAsNonRoot can check it)");
  assert.deepEqual(runtime.filter((i) => keyword(i) === "VOLUME").map(args), ['["/var/lib/palisade"]']);
  assert.deepEqual(runtime.filter((i) => keyword(i) === "ENTRYPOINT").map(args), ['["palisade"]']);
  const hc = runtime.filter((i) => keyword(i) === "HEALTHCHECK").map(args);
  assert.equal(hc.length, 1);
  assert.match(hc[0]!, /CMD \["palisade", "healthcheck"\]$/);
  // The checkout's .npmrc points node-gyp at Debian's headers; the official image has them in /usr/local.
  assert.match(text, /ENV npm_config_nodedir=\/usr\/local/);
});

test("the builder copies every workspace's manifest (npm ci needs them all) and sources that exist", () => {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  const copies = stages()[0]!
    .filter((i) => keyword(i) === "COPY")
    .map((i) => args(i).split(/\s+/));
  const copied = new Set(copies.flatMap((a) => a.slice(0, -1)));
  for (const ws of root.workspaces as string[])
    assert.ok(copied.has(`${ws}/package.json`), `COPY ${ws}/package.json before npm ci`);
  for (const src of copied) assert.ok(existsSync(join(REPO_ROOT, src)), `${src} exists in the build context`);
  const ignore = readFileSync(join(REPO_ROOT, "deploy", "container", "Containerfile.dockerignore"), "utf8");
  assert.match(ignore, /^\*\*\/node_modules$/m, "the host's node_modules stay out of the context");
});

test("the runtime tree holds every workspace the planes depend on, the vendored CRS, the libinjection tables, the web admin and the entrypoint", () => {
  const assemble = stages()[0]!
    .filter((i) => keyword(i) === "RUN")
    .map(args)
    .find((r) => r.includes("dst=/opt/palisade"));
  assert.ok(assemble, "one RUN assembles /opt/palisade");
  for (const path of [
    "waf/rules",
    "waf/third_party/coreruleset/rules",
    "waf/third_party/coreruleset/crs-setup.conf.example",
    "waf/third_party/coreruleset/LICENSE",
    "waf/third_party/libinjection/fingerprint-data",
    "waf/third_party/libinjection/COPYING",
    "web-admin/dist",
    "deploy/container/palisade",
    "deploy/container/healthcheck.mjs",
    "deploy/container/backup-sqlite.mjs",
  ]) {
    assert.ok(assemble.includes(path), `${path} is copied into the image`);
    if (!path.endsWith("dist")) assert.ok(existsSync(join(REPO_ROOT, path)), `${path} exists in the checkout`);
  }
  for (const ws of runtimeWorkspaces()) {
    assert.match(assemble, new RegExp(`for p in [^;]*\\b${ws}\\b`), `${ws}'s dist is in the image`);
    assert.match(text, new RegExp(`^RUN npx tsc -b [^\\n]*\\b${ws}\\b`, "m"), `${ws} is compiled`);
    assert.match(text, new RegExp(`^COPY ${ws}/ ${ws}/$`, "m"), `${ws}'s sources are copied`);
  }
});

/**
 * The workspaces the two planes need at run time: control-plane, data-plane and, transitively,
 * every `@palisade/*` package among their `dependencies` (dev dependencies are pruned).
 */
function runtimeWorkspaces(): string[] {
  const dirOf = new Map<string, string>();
  const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
  for (const ws of root.workspaces as string[])
    dirOf.set(JSON.parse(readFileSync(join(REPO_ROOT, ws, "package.json"), "utf8")).name, ws);
  const out = new Set<string>();
  const visit = (ws: string) => {
    if (out.has(ws)) return;
    out.add(ws);
    const deps = JSON.parse(readFileSync(join(REPO_ROOT, ws, "package.json"), "utf8")).dependencies ?? {};
    for (const name of Object.keys(deps)) {
      const dir = dirOf.get(name);
      if (dir) visit(dir);
    }
  };
  visit("control-plane");
  visit("data-plane");
  return [...out];
}
