#!/usr/bin/env node
// palisade-dp: the Palisade data-plane node. See data-plane/README.md.
import cluster from "node:cluster";
import { semiSpaceFlagGiven } from "../cluster/heap-flags.js";
import { startPrimary } from "../cluster/primary.js";
import { runWorker } from "../cluster/worker.js";
import { createLogger } from "../log.js";
import { startNode } from "../node.js";
import { helpText, OptionsError, parseCommand } from "../options.js";
import { softwareVersion } from "../version.js";

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(`palisade-dp: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (command.kind === "help") {
    process.stdout.write(helpText());
    return;
  }
  if (command.kind === "version") {
    process.stdout.write(`${softwareVersion()}\n`);
    return;
  }
  const options = command.options;

  if (cluster.isWorker) {
    const log = createLogger(options.logLevel).child({ worker: cluster.worker?.id });
    process.on("uncaughtException", (err) => {
      log.fatal({ err }, "uncaught exception");
      process.exit(1);
    });
    process.on("unhandledRejection", (err) => {
      log.fatal({ err }, "unhandled rejection");
      process.exit(1);
    });
    await runWorker(options, log);
    return;
  }

  const log = createLogger(options.logLevel);
  if (
    options.workers === 1 &&
    options.semiSpaceMib !== 0 &&
    !semiSpaceFlagGiven(process.execArgv, process.env.NODE_OPTIONS)
  ) {
    // node sized the heap before this line ran; only NODE_OPTIONS (or node's flags) can set it here.
    log.info(
      { semi_space_mib: options.semiSpaceMib },
      "single process: node's default young generation; start with NODE_OPTIONS=--max-semi-space-size=N to apply --semi-space-mib",
    );
  }
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = options.workers === 1 ? await startNode(options, log) : await startPrimary(options, log);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    process.stderr.write(`palisade-dp: cannot start: ${e.code ?? ""} ${e.message}\n`);
    process.exit(1);
  }
  process.on("uncaughtException", (err) => {
    log.fatal({ err }, "uncaught exception");
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    log.fatal({ err }, "unhandled rejection");
    process.exit(1);
  });
  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, "shutting down");
    node.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  // SIGHUP: replace the workers one by one (new code on disk, fresh heaps) without dropping a
  // request, as `nginx -s reload` does; the config itself comes from the control plane.
  process.on("SIGHUP", () => {
    if (node.restartWorkers === undefined) {
      log.warn("SIGHUP: a rolling restart needs --workers 2 or more; a single process has no workers to replace");
      return;
    }
    void node.restartWorkers();
  });
}

void main();
