// Thin simulated data-plane nodes for the fleet bench (issue 19): each is the data plane's own
// SyncClient (a real gRPC stream: hello, updates decoded, ACK/NACK with version and nonce,
// reconnect with backoff over a list of control-plane addresses) on its own HTTP/2 connection,
// with an applier that validates each update and ACKs it without compiling routes, so that what
// a publish costs is the control plane's fan-out and not the simulators' compiles.
//
// Validation, per node: a full update's resources are digested and their sum must equal the
// update's content hash (once per content in this process: a node receiving content another
// node here verified checks the resource count only, so 250 nodes joining do not digest 250
// copies of 10,000 resources); a delta must name the hash the node holds as its base, and the base's
// digests minus what the delta replaces or removes plus what it brings must sum to the update's
// hash. The digests of a config (key → digest, 10,000 entries) are kept once per content hash in
// this process and shared by the nodes holding it (a node holds its version and hash only), so
// many nodes fit in one process.
//
// Run by bench/sync/fleet.mjs as a child process:
//   node thin-nodes.mjs <addresses a,b> <first index> <count> <regions> [rotate] [report ms]
// `rotate` = 1 rotates the address list by one for every other node (half the nodes dial the
// second control plane first). Each node sends a report (the heartbeat: its version and RSS,
// no traffic) every `report ms` (default 5,000, as a real node; 0: none). Reports over IPC: {type: "acks", acks: [{node, version, at,
// bytes, full}]}; answers {type: "status"} with {type: "status", connected, byAddress}.
import { create } from "@bufbuild/protobuf";
import { ack, createLogger, nackOf, SyncClient } from "@palisade/data-plane";
import {
  addDigest,
  formatContentHash,
  NodeReportSchema,
  removeDigest,
  resourceDigest,
  resourceIdOf,
  resourceKey,
} from "@palisade/proto";

const [addressText, firstText, countText, regionsText, rotateText, reportText] = process.argv.slice(2);
const addresses = addressText.split(",");
const first = Number(firstText);
const count = Number(countText);
const regions = Number(regionsText);
const rotate = rotateText === "1";
const reportMs = Number(reportText ?? "5000");
// PALISADE_THIN_LOG=warn shows why streams drop (one line per node and event: for diagnosis only).
const log = createLogger(process.env.PALISADE_THIN_LOG ?? "silent");

/** Digests of the configs nodes of this process hold, by content hash: {sum, digests: Map(key → digest)}. */
const configs = new Map();
/** Keeps the last few configs (deltas apply to the latest; a node further behind asks for a full update). */
function remember(hash, config) {
  configs.delete(hash);
  configs.set(hash, config);
  while (configs.size > 8) configs.delete(configs.keys().next().value);
}

const nack = (update, running, code, message) => nackOf(update, running, { code, message, resource: "snapshot" });

let batch = [];
const flush = () => {
  if (batch.length > 0) process.send?.({ type: "acks", acks: batch });
  batch = [];
};
setInterval(flush, 20).unref();

/**
 * One thin node's applier: holds {version, hash}; validates as the header says; never compiles.
 * @param {string} nodeId
 * @param {{bytes: number}} received size of the last update received (set by the client's onUpdateBytes)
 */
function thinApplier(nodeId, received) {
  const held = { version: 0n, hash: "" };
  const applier = {
    held,
    apply(update) {
      let sum;
      if (update.full && configs.get(update.hash)?.digests.size === update.resources.length) {
        // Another node of this process verified this content already: its digests are not
        // computed again (the update was still decoded, by the client, for this node).
        remember(update.hash, configs.get(update.hash));
      } else if (update.full) {
        const digests = new Map();
        sum = 0n;
        for (const r of update.resources) {
          const d = resourceDigest(r.field, r.body);
          digests.set(resourceKey(r.field, resourceIdOf(r.body)), d);
          sum = addDigest(sum, d);
        }
        if (formatContentHash(sum) !== update.hash)
          return nack(
            update,
            held.version,
            "SNAPSHOT_INVALID",
            "the resources do not hash to the update's content hash",
          );
        if (!configs.has(update.hash)) remember(update.hash, { sum, digests });
      } else {
        const base = configs.get(update.baseHash);
        if (update.baseHash !== held.hash || !base)
          return nack(update, held.version, "BASE_MISMATCH", "the node does not hold the delta's base");
        sum = base.sum;
        const changed = [];
        for (const ref of update.removed) {
          const d = base.digests.get(resourceKey(ref.field, ref.id));
          if (d === undefined) return nack(update, held.version, "BASE_MISMATCH", "removed resource is not held");
          sum = removeDigest(sum, d);
        }
        for (const r of update.resources) {
          const key = resourceKey(r.field, resourceIdOf(r.body));
          const old = base.digests.get(key);
          if (old !== undefined) sum = removeDigest(sum, old);
          const d = resourceDigest(r.field, r.body);
          sum = addDigest(sum, d);
          changed.push([key, d]);
        }
        if (formatContentHash(sum) !== update.hash)
          return nack(update, held.version, "BASE_MISMATCH", "the resources do not hash to the update's content hash");
        if (!configs.has(update.hash)) {
          const digests = new Map(base.digests);
          for (const ref of update.removed) digests.delete(resourceKey(ref.field, ref.id));
          for (const [key, d] of changed) digests.set(key, d);
          remember(update.hash, { sum, digests });
        } else remember(update.hash, configs.get(update.hash));
      }
      held.version = update.version;
      held.hash = update.hash;
      batch.push({
        node: nodeId,
        version: Number(update.version),
        at: Date.now(),
        bytes: received.bytes,
        full: update.full,
      });
      return ack(update.version, update.nonce, update.hash);
    },
  };
  return applier;
}

/** The process's RSS divided among its nodes, refreshed every second (read once, not per report). */
let rssBytes = 0;
setInterval(() => {
  rssBytes = Math.round(process.memoryUsage.rss() / count);
}, 1000).unref();

const clients = [];
for (let i = first; i < first + count; i++) {
  const nodeId = `thin-${String(i).padStart(5, "0")}`;
  const received = { bytes: 0 };
  const applier = thinApplier(nodeId, received);
  const client = new SyncClient({
    addresses: rotate && i % 2 === 1 ? [...addresses.slice(1), addresses[0]] : addresses,
    identity: {
      nodeId,
      region: `region-${i % regions}`,
      labels: { sim: "thin" },
      softwareVersion: "bench",
      policyTypes: ["jwt"],
    },
    holder: {
      get applied() {
        return applier.held.version === 0n ? undefined : { version: applier.held.version, hash: applier.held.hash };
      },
    },
    applier,
    log,
    reportIntervalMs: reportMs || 5000,
    ...(reportMs > 0
      ? {
          report: () =>
            create(NodeReportSchema, {
              intervalMs: reportMs,
              configVersion: applier.held.version,
              softwareVersion: "bench",
              memoryRssBytes: BigInt(rssBytes),
            }),
        }
      : {}),
    // Its own HTTP/2 connection, as a real node has (grpc-js otherwise shares one per process and target).
    channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    onUpdateBytes: (n) => {
      received.bytes = n;
    },
  });
  clients.push(client);
  client.start();
}

process.on("message", (m) => {
  if (m?.type === "status") {
    const byAddress = {};
    let connected = 0;
    for (const c of clients)
      if (c.connected) {
        connected++;
        byAddress[c.address] = (byAddress[c.address] ?? 0) + 1;
      }
    process.send?.({ type: "status", connected, byAddress, rss: process.memoryUsage().rss });
  }
  if (m?.type === "stop") {
    flush();
    for (const c of clients) c.close();
    setTimeout(() => process.exit(0), 100);
  }
});
