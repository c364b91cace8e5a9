// Test helper: a node's apply path in one process, wired as node.ts and a cluster worker wire
// it (the node's compile with long-lived caches retained on every swap), for property tests
// that compare it with compiles from scratch.
import { encodeResources, type Snapshot } from "@palisade/proto";
import { compile } from "../config/compile.js";
import { CompileError } from "../config/compile-error.js";
import { WafCache } from "../config/compile-waf.js";
import { ConfigState } from "../config/config-state.js";
import type { RuntimeTable } from "../config/runtime-table.js";
import { TableHolder } from "../config/table-holder.js";
import { BUNDLED_POLICY_TYPES, createPolicyResources } from "../policies/registry.js";
import type { CompileFn } from "../sync/config-applier.js";
import { SecureContextCache } from "../tls/compile-certificates.js";
import { UpstreamRuntime } from "../upstream/upstream-runtime.js";

const policyTypes = new Set(BUNDLED_POLICY_TYPES);

/** A table holder and the compile of one node process (or worker), with its caches. */
export interface ModelProcess {
  readonly holder: TableHolder;
  readonly compile: CompileFn;
  /** The process's WAF cache (compiles counted: once per rule set content and settings). */
  readonly waf: WafCache;
  close(): Promise<void>;
}

/** A fresh node process: every bundled policy type, its own caches and upstream state. */
export function modelProcess(): ModelProcess {
  const resources = createPolicyResources();
  const tlsContexts = new SecureContextCache();
  const upstreams = new UpstreamRuntime();
  const waf = new WafCache();
  const holder = new TableHolder((table) => {
    tlsContexts.retain(table.tlsContextKeys);
    waf.retain(table.wafKeys);
    upstreams.retain(table);
  });
  return {
    holder,
    waf,
    compile: (snapshot, previous, changedRoutes) =>
      compile(snapshot, {
        policyTypes,
        resources,
        tlsContexts,
        waf,
        upstreams,
        ...(previous ? { previous } : {}),
        ...(changedRoutes ? { changedRoutes } : {}),
      }),
    close: async () => {
      upstreams.close();
      await resources.close();
    },
  };
}

const references = createPolicyResources();

/** Closes what {@link fromScratch} shares (call once, after the tests). */
export function closeReferences(): Promise<void> {
  return references.close();
}

/**
 * What a node that never held anything makes of `snap` (through ConfigState, as it arrives):
 * its table, or the CompileError it refuses it with.
 */
export function fromScratch(snap: Snapshot): RuntimeTable | CompileError {
  const state = ConfigState.full(snap.version, 0n, encodeResources(snap));
  try {
    return compile(state.snapshot(), { policyTypes, resources: references });
  } catch (err) {
    if (err instanceof CompileError) return err;
    throw err;
  }
}
