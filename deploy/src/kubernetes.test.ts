// Renders every kustomize target and every Helm values set with the real kubectl (kustomize) and
// helm binaries, validates each object against the Kubernetes OpenAPI schemas, checks what an
// operator relies on (probes, drain, scaling, network policies, monitoring, the env the programs
// read), that Helm and kustomize produce the same objects for the same region, and that bad
// input fails at render time with a message naming what is wrong.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TestCa } from "@palisade/test-support";
import { parse } from "yaml";
import { schemaProblems, withUnwrappedSecretData } from "./k8s-schema.js";
import { IMAGE_VARIABLES, programVariables } from "./program-variables.js";
import {
  CHART_DIR,
  GRAFANA_DIR,
  type K8sObject,
  KUSTOMIZE_DIR,
  lintHelm,
  type Rendered,
  renderHelm,
  renderKustomize,
} from "./render.js";
import { secretMountAccess } from "./secret-access.js";

const REGIONS = ["eu-west", "us-east", "ap-south"] as const;
/** Secret volumes with private material: readable by the pod's group, by no other user. */
const PRIVATE_SECRET_VOLUMES = ["fleet-ca-key", "join-tokens"];
const HELM_ONLY_LABELS = ["helm.sh/chart", "app.kubernetes.io/managed-by"];

let ca: TestCa;
const adminToken = randomBytes(32).toString("hex");
const databaseUrl = "postgres://palisade:secret@db.example:5432/palisade";
const tokenOf = (region: string, n: number) => `pjt_${region.replace("-", "")}${n}${"x".repeat(40)}`;

function ok(r: Rendered, what: string): K8sObject[] {
  if (!r.ok) assert.fail(`${what} did not render (exit ${r.status}): ${r.stderr}`);
  return r.objects;
}

/** The objects of one target: kustomize and Helm, given the same inputs. */
interface Target {
  name: string;
  namespace: string;
  kustomize: () => Rendered;
  helm: () => Rendered;
  helmLint: () => { status: number | null; output: string };
}

function regionTarget(region: string): Target {
  const tokens = [0, 1].map((n) => [`${region}-palisade-data-plane-${n}`, tokenOf(region, n)] as const);
  const files = { "dataPlane.fleetCa.certificate": ca.certPem };
  return {
    name: `region ${region}`,
    namespace: `palisade-${region}`,
    kustomize: () =>
      renderKustomize(`overlays/${region}`, {
        "fleet-ca.crt": ca.certPem,
        "join-tokens.env": tokens.map(([id, t]) => `${id}=${t}\n`).join(""),
      }),
    helm: () =>
      renderHelm(`palisade-${region}`, [`values-${region}.yaml`], {
        files,
        set: Object.fromEntries(tokens.map(([id, t]) => [`dataPlane.joinTokens.${id}`, t])),
      }),
    helmLint: () => lintHelm([`values-${region}.yaml`], files),
  };
}

const controlPlaneTarget = (): Target => ({
  name: "control plane",
  namespace: "palisade-system",
  kustomize: () => renderKustomize("overlays/control-plane", { "admin-token": adminToken }),
  helm: () =>
    renderHelm("palisade-system", ["values-control-plane.yaml"], {
      files: { "controlPlane.adminToken.value": adminToken },
    }),
  helmLint: () => lintHelm(["values-control-plane.yaml"], { "controlPlane.adminToken.value": adminToken }),
});

const haTarget = (): Target => {
  const files = {
    "controlPlane.adminToken.value": adminToken,
    "controlPlane.postgres.databaseUrl.value": databaseUrl,
    "controlPlane.postgres.fleetCaKey.key": ca.keyPem,
    "controlPlane.postgres.fleetCaKey.certificate": ca.certPem,
  };
  return {
    name: "control plane on PostgreSQL (HA, issue 19)",
    namespace: "palisade-system",
    kustomize: () =>
      renderKustomize("overlays/control-plane-ha", {
        "admin-token": adminToken,
        "database-url": databaseUrl,
        "fleet-ca-key.pem": ca.keyPem,
        "fleet-ca.crt": ca.certPem,
      }),
    helm: () => renderHelm("palisade-system", ["values-control-plane-ha.yaml"], { files }),
    helmLint: () => lintHelm(["values-control-plane-ha.yaml"], files),
  };
};

/** Objects in a stable order, without Helm's own bookkeeping labels. */
function normalized(objects: K8sObject[]): K8sObject[] {
  const copy = structuredClone(objects).map(withUnwrappedSecretData);
  for (const o of copy) {
    for (const l of HELM_ONLY_LABELS) delete o.metadata.labels?.[l];
  }
  return copy.sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} is rendered`);
  return o;
};

/** Rendered manifests are untyped YAML. */
type Any = any;

const podSpec = (workload: K8sObject): Any => (workload.spec as Any).template.spec;
const container = (workload: K8sObject): Any => podSpec(workload).containers[0];

/** Checks that hold for every rendered set: schema, namespace, selectors, hardening. */
async function checkCommon(objects: K8sObject[], namespace: string | undefined): Promise<void> {
  const problems = (await Promise.all(objects.map(schemaProblems))).flat();
  assert.deepEqual(problems, [], "every object is valid against its OpenAPI schema");
  for (const o of objects) assert.equal(o.metadata.namespace, namespace, `${o.kind} ${o.metadata.name} namespace`);
  const workloads = objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment");
  for (const w of workloads) {
    const podLabels = (w.spec as Any).template.metadata.labels as Record<string, string>;
    for (const [k, v] of Object.entries((w.spec as Any).selector.matchLabels))
      assert.equal(podLabels[k], v, `${w.metadata.name} selects its own pods`);
    const pod = podSpec(w);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 10001);
    assert.equal(pod.automountServiceAccountToken, false);
    const c = container(w);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${w.metadata.name}: read-only root filesystem`);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
    assert.ok(
      c.volumeMounts.some((m: Any) => m.mountPath === "/tmp"),
      `${w.metadata.name}: /tmp is a volume (the root filesystem is read-only)`,
    );
    for (const ref of c.envFrom ?? []) find(objects, "ConfigMap", ref.configMapRef.name); // the env it reads is rendered with it
  }
  // Every selector of a Service, PDB or NetworkPolicy matches some workload's pods.
  for (const o of objects) {
    const sel: Record<string, string> | undefined =
      o.kind === "Service"
        ? (o.spec as Any).selector
        : o.kind === "PodDisruptionBudget"
          ? (o.spec as Any).selector.matchLabels
          : o.kind === "NetworkPolicy"
            ? (o.spec as Any).podSelector.matchLabels
            : undefined;
    if (!sel) continue;
    assert.ok(
      workloads.some((w) => Object.entries(sel).every(([k, v]) => (w.spec as Any).template.metadata.labels[k] === v)),
      `${o.kind} ${o.metadata.name} selects pods of this release`,
    );
  }
}

function checkDataPlane(objects: K8sObject[], region: string): void {
  const sts = find(objects, "StatefulSet", "palisade-data-plane");
  const c = container(sts);
  const env = (find(objects, "ConfigMap", "palisade-data-plane") as Any).data as Record<string, string>;
  assert.equal(env.PALISADE_REGION, region);
  assert.equal((sts.spec as Any).template.metadata.labels["palisade.dev/region"], region);
  const known = programVariables("dp");
  for (const name of Object.keys(env).filter((n) => !IMAGE_VARIABLES.has(n)))
    assert.ok(known.has(name), `${name} is a variable palisade-dp reads (its --help lists it)`);
  // Probes on the status port, which must listen beyond loopback for the kubelet.
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "status" });
  assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "status" });
  assert.equal(c.ports.find((p: Any) => p.name === "status").containerPort, 8100);
  assert.equal(env.PALISADE_STATUS_LISTEN, "0.0.0.0:8100");
  // Drain: the preStop delay, then SIGTERM's drain deadline, all within the grace period.
  const delay = Number(c.lifecycle.preStop.exec.command[1]);
  assert.deepEqual(c.lifecycle.preStop.exec.command, ["sleep", String(delay)]);
  const drainS = Number(env.PALISADE_SHUTDOWN_TIMEOUT_MS) / 1000;
  assert.ok(
    podSpec(sts).terminationGracePeriodSeconds > delay + drainS,
    `terminationGracePeriodSeconds ${podSpec(sts).terminationGracePeriodSeconds} > preStop ${delay} s + drain ${drainS} s`,
  );
  // Identity: node id per pod, the token file named after it, the fleet CA mounted where the env says.
  const nodeId = c.env.find((e: Any) => e.name === "PALISADE_NODE_ID");
  assert.equal(nodeId.value, "$(PALISADE_REGION)-$(POD_NAME)");
  assert.ok(c.env.findIndex((e: Any) => e.name === "POD_NAME") < c.env.indexOf(nodeId), "POD_NAME is defined first");
  const mounts = Object.fromEntries(c.volumeMounts.map((m: Any) => [m.name, m.mountPath]));
  assert.equal(`${mounts["fleet-ca"]}/ca.crt`, env.PALISADE_CA_CERT);
  assert.equal(mounts["join-tokens"], env.PALISADE_JOIN_TOKEN_DIR);
  assert.equal(mounts.state, env.PALISADE_STATE_DIR);
  const volumes = Object.fromEntries(podSpec(sts).volumes.map((v: Any) => [v.name, v]));
  const caSecret = find(objects, "Secret", volumes["fleet-ca"].secret.secretName) as Any;
  assert.equal(Buffer.from(caSecret.data["ca.crt"], "base64").toString(), ca.certPem);
  const tokens = find(objects, "Secret", volumes["join-tokens"].secret.secretName) as Any;
  assert.equal(
    Buffer.from(tokens.data[`${region}-palisade-data-plane-0`], "base64").toString(),
    tokenOf(region, 0),
    "the join token of node 0 is the file its node id names",
  );
  assert.equal((sts.spec as Any).volumeClaimTemplates[0].metadata.name, "state");
  // Scaling and disruption.
  const hpa = find(objects, "HorizontalPodAutoscaler", "palisade-data-plane").spec as Any;
  assert.deepEqual(hpa.scaleTargetRef, { apiVersion: "apps/v1", kind: "StatefulSet", name: "palisade-data-plane" });
  assert.equal(hpa.metrics[0].resource.name, "cpu");
  assert.ok(c.resources.requests.cpu, "CPU request set: the HPA's utilization is relative to it");
  assert.ok(hpa.minReplicas >= 2 && hpa.maxReplicas > hpa.minReplicas);
  assert.equal((find(objects, "PodDisruptionBudget", "palisade-data-plane").spec as Any).maxUnavailable, 1);
  assert.deepEqual(
    podSpec(sts).topologySpreadConstraints.map((t: Any) => t.topologyKey),
    ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
  );
  // Monitoring: the ServiceMonitor selects the status Service, whose port it names.
  const sm = find(objects, "ServiceMonitor", "palisade-data-plane").spec as Any;
  const status = objects.filter(
    (o) =>
      o.kind === "Service" && Object.entries(sm.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v),
  );
  assert.deepEqual(
    status.map((s) => s.metadata.name),
    ["palisade-data-plane-status"],
    "the ServiceMonitor selects only the status Service",
  );
  assert.ok((status[0]!.spec as Any).ports.some((p: Any) => p.name === sm.endpoints[0].port));
  assert.equal(sm.endpoints[0].path, "/metrics");
  // The dashboards' target labels: region, and node as the node id ($(PALISADE_REGION)-$(POD_NAME)).
  assert.deepEqual(
    sm.endpoints[0].relabelings.map((r: Any) => [r.sourceLabels, r.separator, r.targetLabel]),
    [
      [["__meta_kubernetes_pod_label_palisade_dev_region"], undefined, "region"],
      [["__meta_kubernetes_pod_label_palisade_dev_region", "__meta_kubernetes_pod_name"], "-", "node"],
    ],
  );
  // The public Service exposes the proxy listeners only; the status port stays inside the cluster.
  const lb = find(objects, "Service", "palisade-data-plane").spec as Any;
  assert.deepEqual(lb.ports.map((p: Any) => p.targetPort).sort(), ["https", "proxy"]);
  assert.equal(lb.externalTrafficPolicy, "Local");
  for (const a of secretMountAccess(objects)) {
    const files = `mode 0${a.mode.toString(8)}, owner 0, group ${a.gid}`;
    assert.ok(
      a.readable,
      `${a.container} (uid ${a.runAsUser}, groups ${a.groups}) can read volume ${a.volume} (${files})`,
    );
    if (PRIVATE_SECRET_VOLUMES.includes(a.volume))
      assert.equal(a.worldReadable, false, `volume ${a.volume} (${files}) is not readable by other users`);
  }
  const np = find(objects, "NetworkPolicy", "palisade-data-plane").spec as Any;
  const statusRule = np.ingress.find((r: Any) => r.ports.some((p: Any) => p.port === "status"));
  assert.ok(statusRule.from?.length > 0, "the status port admits only the monitoring namespace");
}

function checkControlPlane(objects: K8sObject[], ha: boolean): void {
  const workload = find(objects, ha ? "Deployment" : "StatefulSet", "palisade-control-plane");
  assert.equal(
    objects.find((o) => o.kind === (ha ? "StatefulSet" : "Deployment")),
    undefined,
  );
  const c = container(workload);
  const env = (find(objects, "ConfigMap", "palisade-control-plane") as Any).data as Record<string, string>;
  const known = programVariables("cp");
  for (const name of Object.keys(env)) assert.ok(known.has(name), `${name} is a variable palisade-cp reads`);
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/healthz", port: "admin" });
  const token = c.env.find((e: Any) => e.name === "PALISADE_ADMIN_TOKEN").valueFrom.secretKeyRef;
  const secret = find(objects, "Secret", token.name) as Any;
  assert.equal(Buffer.from(secret.data[token.key], "base64").toString(), adminToken);
  if (ha) {
    assert.equal((workload.spec as Any).replicas, 3);
    assert.equal(env.PALISADE_DB, undefined, "no SQLite file on PostgreSQL");
    assert.ok(c.env.some((e: Any) => e.name === "PALISADE_DATABASE_URL"));
    find(objects, "PodDisruptionBudget", "palisade-control-plane");
  } else {
    assert.equal((workload.spec as Any).replicas, 1, "SQLite: one writer");
    const data = c.volumeMounts.find((m: Any) => m.name === "data");
    assert.ok(env.PALISADE_DB?.startsWith(`${data.mountPath}/`), "the database is on the volume");
  }
  // Every region's nodes dial a name the sync server's certificate covers.
  for (const region of REGIONS) {
    const dp = ok(regionTarget(region).kustomize(), region);
    const address = ((find(dp, "ConfigMap", "palisade-data-plane") as Any).data.PALISADE_CONTROL_PLANE as string).split(
      ":",
    )[0]!;
    assert.ok(env.PALISADE_SYNC_HOSTNAMES!.split(",").includes(address), `${address} is a sync hostname`);
  }
  // Network: nodes reach the sync port only; the admin port only from labelled admin clients;
  // no Service exposes anything outside the cluster.
  const np = find(objects, "NetworkPolicy", "palisade-control-plane").spec as Any;
  for (const rule of np.ingress) {
    const ports = rule.ports.map((p: Any) => p.port);
    const fromNodes = rule.from.some(
      (f: Any) => f.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "data-plane",
    );
    if (fromNodes) assert.deepEqual(ports, ["sync"]);
    if (ports.includes("admin"))
      assert.deepEqual(rule.from, [{ podSelector: { matchLabels: { "palisade.dev/admin-client": "true" } } }]);
  }
  for (const s of objects.filter((o) => o.kind === "Service"))
    assert.ok(["ClusterIP", undefined].includes((s.spec as Any).type), `${s.metadata.name} stays inside the cluster`);
  const dashboards = find(objects, "ConfigMap", "palisade-grafana-dashboards");
  assert.equal(dashboards.metadata.labels?.grafana_dashboard, "1");
  assert.deepEqual(
    (dashboards as Any).data,
    Object.fromEntries(dashboardFiles().map((f) => [f, readFileSync(join(GRAFANA_DIR, f), "utf8")])),
    "the dashboard ConfigMap holds every JSON file of deploy/grafana, as it is",
  );
}

/** The dashboards: the JSON files of deploy/grafana, sorted. */
const dashboardFiles = () =>
  readdirSync(GRAFANA_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();

describe("Kubernetes manifests and Helm chart", () => {
  before(() => {
    ca = new TestCa("Palisade fleet CA (test)");
  });
  after(() => ca.dispose());

  test("the kustomize base renders on its own and is schema-valid", async () => {
    const objects = ok(renderKustomize("base"), "base");
    await checkCommon(objects, undefined);
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      "ConfigMap",
      "HorizontalPodAutoscaler",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
      "StatefulSet",
    ]);
  });

  const targets: Array<[string, () => Target]> = [
    ["control plane", controlPlaneTarget],
    ["control plane on PostgreSQL (HA values, issue 19)", haTarget],
    ...REGIONS.map((r): [string, () => Target] => [`region ${r}`, () => regionTarget(r)]),
  ];
  for (const [name, make] of targets) {
    test(`${name}: kustomize and Helm render the same valid objects`, async () => {
      const t = make();
      const fromKustomize = ok(t.kustomize(), `kustomize ${t.name}`);
      const fromHelm = ok(t.helm(), `helm ${t.name}`);
      await checkCommon(fromKustomize, t.namespace);
      await checkCommon(fromHelm, t.namespace);
      assert.deepEqual(normalized(fromHelm), normalized(fromKustomize));
      const region = REGIONS.find((r) => t.namespace === `palisade-${r}`);
      if (region) checkDataPlane(fromKustomize, region);
      else checkControlPlane(fromKustomize, t.name.includes("HA"));
      const lint = t.helmLint();
      assert.equal(lint.status, 0, lint.output);
    });
  }

  test("every region has a kustomize overlay, a Helm values file and the same autoscaling bounds", () => {
    const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
    assert.deepEqual(Object.keys(values.regions).sort(), [...REGIONS].sort());
    const overlays = readdirSync(join(KUSTOMIZE_DIR, "overlays")).filter((d) => !d.startsWith("control-plane"));
    assert.deepEqual(overlays.sort(), [...REGIONS].sort());
    for (const r of REGIONS) {
      const hpa = find(ok(regionTarget(r).kustomize(), r), "HorizontalPodAutoscaler", "palisade-data-plane");
      assert.equal((hpa.spec as Any).minReplicas, values.regions[r].minReplicas);
      assert.equal((hpa.spec as Any).maxReplicas, values.regions[r].maxReplicas);
    }
  });

  test("the dashboards come from deploy/grafana: kustomize lists each JSON file there, Helm links the folder", () => {
    assert.ok(dashboardFiles().length > 0, "deploy/grafana holds dashboards");
    const listed = parse(readFileSync(join(GRAFANA_DIR, "kustomization.yaml"), "utf8")).configMapGenerator[0].files;
    assert.deepEqual(
      [...listed].sort(),
      dashboardFiles(),
      "deploy/grafana/kustomization.yaml lists every dashboard of deploy/grafana (kustomize does not glob): add the missing file there",
    );
    assert.equal(
      realpathSync(join(CHART_DIR, "dashboards")),
      realpathSync(GRAFANA_DIR),
      "the chart's dashboards/ is deploy/grafana",
    );
  });

  test("the Helm grace period follows the drain deadline and the preStop delay", () => {
    const objects = ok(
      renderHelm("palisade-eu-west", ["values-eu-west.yaml"], {
        files: { "dataPlane.fleetCa.certificate": ca.certPem },
        set: { "dataPlane.shutdownTimeoutMs": "30500", "dataPlane.preStopDelaySeconds": "8" },
      }),
      "helm with a longer drain",
    );
    const sts = find(objects, "StatefulSet", "palisade-data-plane");
    assert.equal(podSpec(sts).terminationGracePeriodSeconds, 8 + 31 + 5);
    assert.deepEqual(container(sts).lifecycle.preStop.exec.command, ["sleep", "8"]);
    assert.equal((find(objects, "ConfigMap", "palisade-data-plane") as Any).data.PALISADE_SHUTDOWN_TIMEOUT_MS, "30500");
  });

  test("the non-root control plane on PostgreSQL reads the fleet CA key (0440, group fsGroup); 0400 it could not", () => {
    const t = haTarget();
    for (const objects of [ok(t.kustomize(), "kustomize HA"), ok(t.helm(), "helm HA")]) {
      const key = secretMountAccess(objects).filter((a) => a.volume === "fleet-ca-key");
      assert.deepEqual(
        key.map(({ mode, gid, runAsUser, readable, worldReadable }) => ({
          mode,
          gid,
          runAsUser,
          readable,
          worldReadable,
        })),
        [{ mode: 0o440, gid: 10001, runAsUser: 10001, readable: true, worldReadable: false }],
      );
      const workload = structuredClone(find(objects, "Deployment", "palisade-control-plane"));
      podSpec(workload).volumes.find((v: Any) => v.name === "fleet-ca-key").secret.defaultMode = 0o400;
      assert.equal(secretMountAccess([workload]).find((a) => a.volume === "fleet-ca-key")?.readable, false);
    }
  });

  describe("bad input fails at render time with a message", () => {
    const refused = (r: Rendered, pattern: RegExp) => {
      assert.equal(r.ok, false, "the render is refused");
      if (!r.ok) assert.match(r.stderr, pattern);
    };
    test("Helm: an unknown region names the known ones", () => {
      refused(
        renderHelm("palisade-eu-west", ["values-eu-west.yaml"], {
          files: { "dataPlane.fleetCa.certificate": ca.certPem },
          set: { "dataPlane.region": "eu-wset" },
        }),
        /dataPlane\.region "eu-wset" is not a known region.*ap-south, eu-west, us-east/,
      );
    });
    test("Helm: a data plane without the fleet CA says how to give it", () => {
      refused(
        renderHelm("palisade-eu-west", ["values-eu-west.yaml"]),
        /dataPlane\.fleetCa: the fleet CA certificate is missing: --set-file dataPlane\.fleetCa\.certificate=fleet-ca\.crt/,
      );
    });
    test("Helm: a fleet CA that is not a PEM certificate is refused", () => {
      refused(
        renderHelm("palisade-eu-west", ["values-eu-west.yaml"], {
          files: { "dataPlane.fleetCa.certificate": '{"certificate_pem":"…"}' },
        }),
        /dataPlane\.fleetCa\.certificate is not a PEM certificate/,
      );
    });
    test("Helm: a control plane without an admin token, or a short one, is refused", () => {
      refused(
        renderHelm("palisade-system", ["values-control-plane.yaml"]),
        /controlPlane\.adminToken: give the admin token/,
      );
      refused(
        renderHelm("palisade-system", ["values-control-plane.yaml"], {
          set: { "controlPlane.adminToken.value": "short" },
        }),
        /at least 16 characters/,
      );
    });
    test("Helm and kustomize: PostgreSQL without the fleet CA key names what to give", () => {
      refused(
        renderHelm("palisade-system", ["values-control-plane-ha.yaml"], {
          files: {
            "controlPlane.adminToken.value": adminToken,
            "controlPlane.postgres.databaseUrl.value": databaseUrl,
          },
        }),
        /controlPlane\.postgres\.enabled needs the fleet CA every replica signs with: controlPlane\.postgres\.fleetCaKey\.key/,
      );
      refused(
        renderKustomize("overlays/control-plane-ha", { "admin-token": adminToken, "database-url": databaseUrl }),
        /fleet-ca-key\.pem: no such file or directory/,
      );
    });
    test("Helm: PostgreSQL without a database URL names the value to give", () => {
      refused(
        renderHelm("palisade-system", ["values-control-plane-ha.yaml"], {
          files: { "controlPlane.adminToken.value": adminToken },
        }),
        /controlPlane\.postgres\.databaseUrl\.value/,
      );
    });
    test("Helm: values.schema.json refuses a misspelt key and a bad join token", () => {
      refused(
        renderHelm("palisade-eu-west", ["values-eu-west.yaml"], {
          files: { "dataPlane.fleetCa.certificate": ca.certPem },
          set: { "dataPlane.wokers": "4" },
        }),
        /Additional property wokers is not allowed/,
      );
      refused(
        renderHelm("palisade-eu-west", ["values-eu-west.yaml"], {
          files: { "dataPlane.fleetCa.certificate": ca.certPem },
          set: { "dataPlane.joinTokens.eu-west-palisade-data-plane-0": "not-a-token" },
        }),
        /joinTokens\.eu-west-palisade-data-plane-0: Does not match pattern/,
      );
    });
    test("Helm: nothing enabled is refused", () => {
      refused(renderHelm("default", []), /nothing to install/);
    });
    test("kustomize: a region overlay without fleet-ca.crt names the file", () => {
      refused(
        renderKustomize("overlays/eu-west", { "join-tokens.env": "" }),
        /fleet-ca\.crt: no such file or directory/,
      );
    });
    test("kustomize: the control plane without admin-token names the file", () => {
      refused(renderKustomize("overlays/control-plane"), /admin-token: no such file or directory/);
    });
    test("kustomize: an unknown region has no overlay", () => {
      refused(renderKustomize("overlays/eu-wset"), /eu-wset/);
    });
    test("kustomize: a region whose nodes all joined renders with an empty join-tokens.env", async () => {
      const objects = ok(
        renderKustomize("overlays/us-east", { "fleet-ca.crt": ca.certPem, "join-tokens.env": "" }),
        "us-east without tokens",
      );
      await checkCommon(objects, "palisade-us-east");
      assert.deepEqual(Object.keys((find(objects, "Secret", "palisade-join-tokens") as Any).data ?? {}), []);
    });
  });
});
