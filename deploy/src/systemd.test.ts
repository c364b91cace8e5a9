// The systemd units for bare-metal hosts, checked with systemd-analyze (verify, and the offline
// security assessment) and against what the programs read: the hardening options, the drain
// deadline within the stop timeout, and every PALISADE_* variable of the environment files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./k8s-tools.js";
import { IMAGE_VARIABLES, programVariables } from "./program-variables.js";

const DIR = join(REPO_ROOT, "deploy", "systemd");
const UNITS = { cp: "palisade-cp.service", dp: "palisade-dp.service" } as const;

/** `systemd-analyze <args> <unit copies>` in a scratch folder: exit status, stdout, stderr. */
function analyze(
  args: string[],
  units: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "palisade-systemd-"));
  try {
    for (const [name, text] of Object.entries(units)) writeFileSync(join(dir, name), text);
    const r = spawnSync("systemd-analyze", [...args, ...Object.keys(units).map((n) => join(dir, n))], {
      encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Settings of a unit or environment file: key → every value, in order. */
function settings(text: string, separator: "=" = "="): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (/^\s*(#|\[|$)/.test(line)) continue;
    const at = line.indexOf(separator);
    const k = line.slice(0, at).trim();
    out.set(k, [...(out.get(k) ?? []), line.slice(at + 1).trim()]);
  }
  return out;
}

const unitText = (u: string) => readFileSync(join(DIR, u), "utf8");

test("systemd-analyze verify accepts both units without a word, and reports a misspelt key", () => {
  const units = Object.fromEntries(Object.values(UNITS).map((u) => [u, unitText(u)]));
  const r = analyze(["verify", "--man=no"], units);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), "", "no warning");
  const broken = analyze(["verify", "--man=no"], {
    "palisade-broken.service": unitText(UNITS.cp).replace("LimitNOFILE=", "LimitNOFILES="),
  });
  assert.match(broken.stderr, /Unknown key 'LimitNOFILES'/);
});

test("both units run hardened: dynamic user, read-only system, no new privileges, no capabilities", () => {
  for (const u of Object.values(UNITS)) {
    const s = settings(unitText(u));
    const one = (k: string) => s.get(k)?.at(-1);
    assert.equal(one("DynamicUser"), "yes", `${u} DynamicUser`);
    assert.equal(one("ProtectSystem"), "strict", `${u} ProtectSystem`);
    assert.equal(one("NoNewPrivileges"), "yes", `${u} NoNewPrivileges`);
    assert.equal(one("CapabilityBoundingSet"), "", `${u}: no capability (its ports are above 1024)`);
    assert.equal(one("AmbientCapabilities"), "", u);
    assert.equal(one("Restart"), "on-failure", u);
    assert.equal(one("KillMode"), "mixed", `${u}: SIGTERM to the main process, which stops its workers`);
    assert.ok(Number(one("LimitNOFILE")) >= 65536, `${u} LimitNOFILE`);
    assert.match(one("StateDirectory") ?? "", /^palisade-(cp|dp)$/, `${u} StateDirectory`);
    assert.equal(s.get("MemoryDenyWriteExecute"), undefined, `${u}: V8's JIT needs W+X memory`);
  }
});

test("systemd's offline security assessment rates both units OK (exposure below 2.0)", () => {
  for (const u of Object.values(UNITS)) {
    const r = analyze(["security", "--offline=yes", "--no-pager"], { [u]: unitText(u) });
    const m = /Overall exposure level for \S+: ([\d.]+) (\S+)/.exec(r.stdout);
    assert.ok(m, `${u}: ${r.stdout.slice(-300)}${r.stderr}`);
    assert.ok(Number(m[1]) < 2, `${u} exposure ${m[1]} ${m[2]}`);
  }
});

test("environment files name only variables the programs read, with paths the units provide", () => {
  for (const [plane, unit] of Object.entries(UNITS) as Array<["cp" | "dp", string]>) {
    const known = programVariables(plane);
    const envFiles = settings(unitText(unit))
      .get("EnvironmentFile")!
      .map((f) => f.replace(/^-/, ""));
    for (const f of envFiles) {
      const local = join(DIR, f.replace("/etc/palisade/", ""));
      for (const k of settings(readFileSync(local, "utf8")).keys())
        assert.ok(known.has(k) && !IMAGE_VARIABLES.has(k), `${f}: ${k} is read by palisade-${plane}`);
    }
    const main = settings(readFileSync(join(DIR, `palisade-${plane}.env`), "utf8"));
    const stateDir = `/var/lib/${settings(unitText(unit)).get("StateDirectory")![0]}`;
    const statePath = (plane === "cp" ? main.get("PALISADE_DB") : main.get("PALISADE_STATE_DIR"))![0]!;
    assert.ok(statePath.startsWith(stateDir), `${statePath} is inside the unit's StateDirectory ${stateDir}`);
  }
  const dp = settings(readFileSync(join(DIR, "palisade-dp.env"), "utf8"));
  const stopS = Number.parseInt(settings(unitText(UNITS.dp)).get("TimeoutStopSec")![0]!, 10);
  const drainS = Number(dp.get("PALISADE_SHUTDOWN_TIMEOUT_MS")![0]) / 1000;
  assert.ok(stopS > drainS, `TimeoutStopSec ${stopS} s leaves the ${drainS} s drain room before SIGKILL`);
});
