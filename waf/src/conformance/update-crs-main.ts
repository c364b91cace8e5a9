/**
 * `npm run waf:update-crs -w @palisade/waf -- <release-dir> [--commit <sha>] [--url <release url>]`:
 * replaces the vendored CRS (`waf/third_party/coreruleset`) with another CRS v4 release directory
 * (an unpacked release tarball or a checkout at a tag), then runs the conformance suite on it.
 *
 * Copied unmodified: every file of `rules/` (`*.conf`, `*.data`, the `*.conf.example` exclusion
 * templates, which the engine does not load), `crs-setup.conf.example`, `LICENSE`, `README.md` and `KNOWN_BUGS.md` when present,
 * and the regression suite `tests/regression/tests/**.yaml`. A new `NOTICE` names the version (from
 * the rules' `SecComponentSignature "OWASP_CRS/x.y.z"`), the commit and release address when
 * given, and the folder's content digest. Nothing else under `third_party` is written.
 *
 * Exits 2 with a message when the directory is not a CRS v4 release (no `rules/*.conf`, no
 * `crs-setup.conf.example`, no `LICENSE`, no signature, or a version other than 4.x); the vendored
 * folder is left untouched then. Exits with the conformance run's code otherwise (1 on a failure
 * not on `conformance/known-failures.yaml` or a listed test that now passes: update that list, it
 * is Palisade's file).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VENDORED_CRS_DIR } from "../crs.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { commit: { type: "string" }, url: { type: "string" } },
});

function fail(message: string): never {
  console.error(`waf:update-crs: ${message}`);
  process.exit(2);
}

const source = positionals[0];
if (positionals.length !== 1 || source === undefined)
  fail("usage: npm run waf:update-crs -w @palisade/waf -- <crs-release-dir> [--commit <sha>] [--url <url>]");
const rulesDir = join(source, "rules");
if (!existsSync(rulesDir)) fail(`${source}: no rules folder (not a CRS release directory)`);
const ruleFiles = readdirSync(rulesDir, { withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => e.name);
if (!ruleFiles.some((n) => n.endsWith(".conf"))) fail(`${rulesDir}: no *.conf rule files`);
for (const required of ["crs-setup.conf.example", "LICENSE"])
  if (!existsSync(join(source, required))) fail(`${source}: no ${required}`);
let version: string | undefined;
for (const n of ruleFiles.filter((f) => f.endsWith(".conf"))) {
  const m = /SecComponentSignature\s+"OWASP_CRS\/([0-9][0-9A-Za-z.-]*)"/.exec(
    readFileSync(join(rulesDir, n), "latin1"),
  );
  if (m) version = m[1];
}
if (version === undefined) fail(`${rulesDir}: no SecComponentSignature "OWASP_CRS/x.y.z" in any rule file`);
if (!version.startsWith("4.")) fail(`${source}: CRS ${version}; the engine runs CRS v4`);
const testsDir = join(source, "tests", "regression", "tests");
if (!existsSync(testsDir)) fail(`${source}: no tests/regression/tests (the conformance suite needs them)`);

// Build the new folder beside the vendored one, then swap, so a failed copy leaves it intact.
const staging = `${VENDORED_CRS_DIR}.staging`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(join(staging, "rules"), { recursive: true });
for (const n of ruleFiles) cpSync(join(rulesDir, n), join(staging, "rules", n));
for (const n of ["crs-setup.conf.example", "LICENSE", "README.md", "KNOWN_BUGS.md"])
  if (existsSync(join(source, n))) cpSync(join(source, n), join(staging, n));
cpSync(testsDir, join(staging, "tests", "regression", "tests"), {
  recursive: true,
  filter: (p) => !p.endsWith("~"),
});

/** sha256 of the sorted `sha256sum` list of every file, as `find . -type f | sort | xargs sha256sum | sha256sum`. */
function folderDigest(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(`./${relative(dir, join(d, e.name)).split("\\").join("/")}`);
  };
  walk(dir);
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))); // `sort` in the C locale
  const list = files
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}\n`,
    )
    .join("");
  return createHash("sha256").update(list).digest("hex");
}

const release = [
  values.commit ? `Commit: ${values.commit}.` : "Commit: not given to waf:update-crs.",
  values.url ? `Release: ${values.url}` : "",
]
  .filter((l) => l !== "")
  .join("\n");
writeFileSync(
  join(staging, "NOTICE"),
  `OWASP CRS (Core Rule Set) v${version}
https://github.com/coreruleset/coreruleset
${release}
Licence: Apache License 2.0 (LICENSE in this folder; copyright holders in LICENSE and README.md).

Vendored unmodified by Palisade (npm run waf:update-crs): rules/ (*.conf, *.data, the
*.conf.example exclusion templates), crs-setup.conf.example, README.md, KNOWN_BUGS.md, LICENSE,
and the regression suite tests/regression/tests/**.yaml (go-ftw format).
Palisade's own engine configuration and tuning live outside this folder (waf/rules/).

Content digest of this folder without this file (sha256 of the sorted \`sha256sum\` list of every
file, as printed by \`find . -type f ! -name NOTICE | sort | xargs sha256sum | sha256sum\`):
${folderDigest(staging)}
`,
);
const previous = `${VENDORED_CRS_DIR}.previous`;
rmSync(previous, { recursive: true, force: true });
renameSync(VENDORED_CRS_DIR, previous);
renameSync(staging, VENDORED_CRS_DIR);
rmSync(previous, { recursive: true, force: true });
console.log(`waf:update-crs: ${relative(process.cwd(), VENDORED_CRS_DIR)} is now CRS v${version}; running conformance`);

const conformance = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const run = spawnSync(process.execPath, [conformance], { stdio: "inherit" });
process.exit(run.status ?? 1);
