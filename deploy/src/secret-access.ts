// Whether the container's user can read the files of the Secret volumes it mounts, from the pod
// spec alone. The kubelet writes a Secret volume's files owned by root (uid 0) with the pod's
// fsGroup as their group when one is set (root otherwise), with the volume's defaultMode (0644
// when absent) or an item's own mode; the process runs as runAsUser with runAsGroup, fsGroup and
// supplementalGroups as its groups (Kubernetes API: PodSecurityContext, SecretVolumeSource).
import type { K8sObject } from "./render.js";

/** One Secret volume mount as the container's user sees it. */
export interface SecretMountAccess {
  container: string;
  volume: string;
  /** The file mode, e.g. 0o440 (the item's own mode where it has one, else the volume's). */
  mode: number;
  /** The files' owner and group: uid 0, gid fsGroup (or 0). */
  gid: number;
  uid: number;
  /** The process's user and groups. */
  runAsUser: number;
  groups: number[];
  readable: boolean;
  /** Readable by any user (the "other" read bit). */
  worldReadable: boolean;
}

/** The parts of a rendered pod spec read here. */
interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  fsGroup?: number;
  supplementalGroups?: number[];
}
interface Container {
  name: string;
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string }>;
}
interface PodSpec {
  securityContext?: SecurityContext;
  volumes?: Array<{ name: string; secret?: { defaultMode?: number; items?: Array<{ mode?: number }> } }>;
  containers: Container[];
  initContainers?: Container[];
}

/**
 * Every Secret volume mount of every container of a StatefulSet, Deployment or DaemonSet, with
 * whether its files are readable by the container's user. A container without a runAsUser (pod
 * or container level) runs as the image's user, which the manifests cannot see: it is reported
 * as uid -1, readable only through the "other" bit.
 */
export function secretMountAccess(objects: K8sObject[]): SecretMountAccess[] {
  const out: SecretMountAccess[] = [];
  for (const o of objects) {
    if (!["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind)) continue;
    const pod = (o.spec as { template: { spec: PodSpec } }).template.spec;
    const psc = pod.securityContext ?? {};
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const csc = c.securityContext ?? {};
      const runAsUser = csc.runAsUser ?? psc.runAsUser ?? -1;
      const groups = [csc.runAsGroup ?? psc.runAsGroup, psc.fsGroup, ...(psc.supplementalGroups ?? [])].filter(
        (g): g is number => typeof g === "number",
      );
      for (const m of c.volumeMounts ?? []) {
        const secret = volumes.get(m.name)?.secret;
        if (!secret) continue;
        const gid = psc.fsGroup ?? 0;
        const modes = (secret.items ?? []).map((i) => i.mode ?? secret.defaultMode ?? 0o644);
        if (modes.length === 0) modes.push(secret.defaultMode ?? 0o644);
        for (const mode of modes) {
          const worldReadable = (mode & 0o004) !== 0;
          const readable =
            (runAsUser === 0 && (mode & 0o400) !== 0) ||
            (groups.includes(gid) && (mode & 0o040) !== 0) ||
            worldReadable;
          out.push({
            container: c.name,
            volume: m.name,
            mode,
            uid: 0,
            gid,
            runAsUser,
            groups,
            readable,
            worldReadable,
          });
        }
      }
    }
  }
  return out;
}
