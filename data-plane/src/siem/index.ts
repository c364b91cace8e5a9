// The SIEM delivery path of a node (README.md in this folder). Part 2 of issue 17 wires
// SiemShipper into the node's event path and SiemStatsSource into /metrics.
export { EventQueue } from "./event-queue.js";
export { FileSink } from "./file-sink.js";
export { SiemShipper, type SiemShipperOptions, type SiemStats, type SiemStatsSource } from "./siem-shipper.js";
export { classifyNetError, type SendResult, type Sink, SinkError, type SinkFailureKind } from "./sink.js";
export {
  DROP_REASONS,
  type DropReason,
  type SinkCondition,
  SinkRunner,
  type SinkRunnerOptions,
  type SinkState,
  type SinkStats,
} from "./sink-runner.js";
export { Spool, type SpoolOptions, type SpoolStats } from "./spool.js";
export type { SpoolRecord } from "./spool-record.js";
export { frameBatch, type StreamSinkOptions, SyslogStreamSink } from "./syslog-stream.js";
export { createSyslogTcpSink, type StreamTuning } from "./syslog-tcp-sink.js";
export { createSyslogTlsSink } from "./syslog-tls-sink.js";
export { SyslogUdpSink } from "./syslog-udp-sink.js";
export { WebhookSink } from "./webhook-sink.js";
