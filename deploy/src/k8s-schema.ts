import type { K8sObject } from "./render.js";

/** A kubernetes-models class: constructed from an object, `validate()` throws on a schema violation. */
type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Module of the kubernetes-models class for each apiVersion/kind Palisade renders: the built-in
 * kinds from `kubernetes-models` (the Kubernetes OpenAPI schemas), ServiceMonitor from
 * `@kubernetes-models/prometheus-operator` (the operator's CRD schema).
 */
const MODELS: Record<string, string> = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "apps/v1/StatefulSet": "kubernetes-models/apps/v1/StatefulSet",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
  "monitoring.coreos.com/v1/ServiceMonitor":
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
};

/**
 * `obj` with the base64 values of a Secret's `data` on one line. kustomize wraps them at 76
 * characters; the API server's decoder (Go's base64.StdEncoding) skips the line breaks, so the
 * object is the same, but the schema's `byte` format has no room for them.
 */
export function withUnwrappedSecretData(obj: K8sObject): K8sObject {
  if (obj.kind !== "Secret" || typeof obj.data !== "object" || obj.data === null) return obj;
  const data = Object.fromEntries(
    Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, v.replace(/[\r\n]/g, "")]),
  );
  return { ...obj, data };
}

/**
 * Validates `obj` against its kind's OpenAPI schema.
 * @returns the problems found (empty when valid): an unknown apiVersion/kind is one
 */
export async function schemaProblems(obj: K8sObject): Promise<string[]> {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const module = MODELS[key];
  if (!module) return [`${key} ${obj.metadata?.name}: no schema for this apiVersion/kind`];
  const Model = (await import(module))[obj.kind] as ModelClass;
  try {
    new Model(withUnwrappedSecretData(obj)).validate();
    return [];
  } catch (err) {
    return [`${key} ${obj.metadata?.name}: ${(err as Error).message}`];
  }
}
