/**
 * @palisade/data-plane: the proxy node. Curated exports; everything else is internal.
 */

export { type CompileOptions, compile } from "./config/compile.js";
export { COMPILE_ERROR_CODES, CompileError, type CompileErrorCode } from "./config/compile-error.js";
export { ConfigState } from "./config/config-state.js";
export { LastKnownGood, readSnapshotFile } from "./config/last-known-good.js";
export type { CompiledRoute, CompiledTarget, CompiledUpstream, RuntimeTable } from "./config/runtime-table.js";
export { type AppliedConfig, TableHolder } from "./config/table-holder.js";
export { type Blame, ERROR_CODES, ERRORS, type ErrorCode, type ErrorSpec } from "./errors.js";
export {
  SECURITY_EVENT_TYPES,
  SECURITY_REASONS,
  type SecurityEvent,
  type SecurityEventListener,
  SecurityEvents,
  type SecurityEventType,
  type SecurityReason,
} from "./events/security-events.js";
export { createLogger, type Logger, type LogLevel } from "./log.js";
export { type RunningNode, startNode } from "./node.js";
export { type Command, helpText, type NodeOptions, OptionsError, parseCommand } from "./options.js";
export type {
  Answer,
  Authentication,
  Authenticator,
  LoggedExchange,
  PhaseHooks,
  Policy,
  PolicyExchange,
  PolicyRequest,
  PolicyTraits,
  Recorder,
  Refusal,
  Reply,
  UpstreamRequest,
  Verdict,
} from "./policies/contract.js";
export { BUNDLED_POLICY_TYPES } from "./policies/registry.js";
export { type ClientLimits, ProxyServer, type ProxyServerOptions } from "./proxy/proxy-server.js";
export { TlsListener, type TlsListenerOptions } from "./proxy/tls-listener.js";
export { FAIL_TO_PROXY, PHASES, type Phase, ProxyLoop } from "./proxy-loop.js";
export { ProxyNode } from "./proxy-node.js";
export { StatusServer } from "./status/status-server.js";
export { ack, type CompileFn, ConfigApplier, type ConfigPersister, nackOf } from "./sync/config-applier.js";
export type { EventOutboxOptions, EventOutboxStats, OutboundSecurityEvent } from "./sync/event-outbox.js";
export { type NodeIdentity, SyncClient, type SyncClientOptions } from "./sync/sync-client.js";
export { SecureContextCache } from "./tls/compile-certificates.js";
export { SniTable } from "./tls/sni-table.js";
export { PoolManager } from "./upstream/pool-manager.js";
export { UpstreamRuntime } from "./upstream/upstream-runtime.js";
export { softwareVersion } from "./version.js";
