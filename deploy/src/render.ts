import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { k8sTools, REPO_ROOT } from "./k8s-tools.js";

/** A rendered Kubernetes object (the fields the tests read). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** What a render produced: the objects, or the tool's error (exit status and stderr). */
export type Rendered = { ok: true; objects: K8sObject[] } | { ok: false; status: number | null; stderr: string };

export const KUSTOMIZE_DIR = join(REPO_ROOT, "deploy", "kubernetes");
export const CHART_DIR = join(REPO_ROOT, "deploy", "helm", "palisade");

/** Parses a multi-document YAML stream, dropping empty documents. @throws Error on a YAML error */
export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) out.push(value);
  }
  return out;
}

function result(r: ReturnType<typeof spawnSync>): Rendered {
  if (r.status !== 0) return { ok: false, status: r.status, stderr: String(r.stderr) };
  return { ok: true, objects: parseObjects(String(r.stdout)) };
}

export const GRAFANA_DIR = join(REPO_ROOT, "deploy", "grafana");

/**
 * `kubectl kustomize` of `target` (a folder of deploy/kubernetes, e.g. `overlays/eu-west` or
 * `base`), rendered from a copy of deploy/kubernetes (beside a copy of deploy/grafana, which the
 * control plane's kustomization includes) in which `inputs` (file name → content) were written
 * into the target folder first, as an operator writes fleet-ca.crt, join-tokens.env and
 * admin-token before `kubectl apply -k`.
 */
export function renderKustomize(target: string, inputs: Record<string, string> = {}): Rendered {
  const copy = mkdtempSync(join(tmpdir(), "palisade-kustomize-"));
  try {
    cpSync(KUSTOMIZE_DIR, join(copy, "kubernetes"), { recursive: true });
    cpSync(GRAFANA_DIR, join(copy, "grafana"), { recursive: true });
    const dir = join(copy, "kubernetes", target);
    for (const [name, content] of Object.entries(inputs)) writeFileSync(join(dir, name), content);
    return result(spawnSync(k8sTools().kubectl, ["kustomize", dir], { encoding: "utf8", maxBuffer: 1 << 26 }));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * `helm template` of the chart in `namespace` with the chart's `valuesFiles` (names inside the
 * chart, e.g. `values-eu-west.yaml`), then `files` given with --set-file (value path → content)
 * and `set` with --set.
 */
export function renderHelm(
  namespace: string,
  valuesFiles: string[],
  opts: { files?: Record<string, string>; set?: Record<string, string> } = {},
): Rendered {
  const dir = mkdtempSync(join(tmpdir(), "palisade-helm-"));
  try {
    const args = ["template", "palisade", CHART_DIR, "--namespace", namespace];
    for (const f of valuesFiles) args.push("-f", join(CHART_DIR, f));
    let n = 0;
    for (const [path, content] of Object.entries(opts.files ?? {})) {
      const file = join(dir, `file-${n++}`);
      writeFileSync(file, content);
      args.push("--set-file", `${path}=${file}`);
    }
    for (const [path, value] of Object.entries(opts.set ?? {})) args.push("--set", `${path}=${value}`);
    return result(spawnSync(k8sTools().helm, args, { encoding: "utf8", maxBuffer: 1 << 26 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm lint` of the chart with `valuesFiles` and --set-file `files`: exit status and output. */
export function lintHelm(
  valuesFiles: string[],
  files: Record<string, string> = {},
): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "palisade-helm-lint-"));
  try {
    const args = ["lint", CHART_DIR, "--strict"];
    for (const f of valuesFiles) args.push("-f", join(CHART_DIR, f));
    let n = 0;
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, `file-${n++}`);
      writeFileSync(file, content);
      args.push("--set-file", `${path}=${file}`);
    }
    const r = spawnSync(k8sTools().helm, args, { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
