// Simulated data-plane nodes for the sync scale bench: each is a real gRPC client
// (@palisade/data-plane's SyncClient) that decodes every update, applies it to its own
// compiled table with the data plane's compile (ConfigApplier: delta over the held config,
// content hash check, incremental compile, swap) and ACKs. No proxy listener, no disk.
//
// Run by bench/sync/run.mjs as a child process:
//   node sim-nodes.mjs <control-plane host:port> <first index> <count> <regions>
// It reports to its parent over IPC: {type: "acks", acks: [{node, version, at, bytes, full, applyMs}]}.
import { ConfigApplier, compile, createLogger, SyncClient, TableHolder } from "@palisade/data-plane";

const [address, firstText, countText, regionsText] = process.argv.slice(2);
const first = Number(firstText);
const count = Number(countText);
const regions = Number(regionsText);
const log = createLogger("silent");
const policyTypes = new Set(["jwt"]);
let batch = [];
const flush = () => {
  if (batch.length > 0) process.send?.({ type: "acks", acks: batch });
  batch = [];
};
setInterval(flush, 20).unref();

const clients = [];
for (let i = first; i < first + count; i++) {
  const nodeId = `sim-${String(i).padStart(3, "0")}`;
  const holder = new TableHolder();
  const applier = new ConfigApplier(
    holder,
    (s, previous) => compile(s, { policyTypes, ...(previous ? { previous } : {}) }),
    log,
  );
  let lastBytes = 0;
  const apply = applier.apply.bind(applier);
  applier.apply = async (update) => {
    const t0 = performance.now();
    const reply = await apply(update);
    const applyMs = performance.now() - t0;
    if (reply.kind.case === "ack")
      batch.push({
        node: nodeId,
        version: Number(update.version),
        at: Date.now(),
        bytes: lastBytes,
        full: update.full,
        applyMs,
      });
    else
      batch.push({ node: nodeId, version: Number(update.version), at: Date.now(), nack: reply.kind.value.error?.code });
    return reply;
  };
  const client = new SyncClient({
    addresses: [address],
    identity: {
      nodeId,
      region: `region-${i % regions}`,
      labels: { sim: "1" },
      softwareVersion: "bench",
      policyTypes: [...policyTypes],
    },
    holder,
    applier,
    log,
    reportIntervalMs: 5000,
    onUpdateBytes: (n) => {
      lastBytes = n;
    },
  });
  clients.push(client);
  client.start();
}

process.on("message", (m) => {
  if (m?.type === "stop") {
    flush();
    for (const c of clients) c.close();
    setTimeout(() => process.exit(0), 100);
  }
  if (m?.type === "rss") process.send?.({ type: "rss", rss: process.memoryUsage().rss });
});
