#!/usr/bin/env node
import { backupCommand } from "../backup-command.js";
import { OptionError } from "../errors.js";
import { createLogger } from "../log.js";
import { cpHelp, parseCpOptions } from "../options.js";
import { startFailure } from "../start-failure.js";
import { softwareVersion } from "../version.js";

const sub = process.argv[2];
if (sub === "backup" || sub === "restore") {
  const code = await backupCommand(sub, process.argv.slice(3), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}

let opts: ReturnType<typeof parseCpOptions>;
try {
  opts = parseCpOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof OptionError) {
    process.stderr.write(`palisade-cp: ${err.message}\nRun palisade-cp --help for the options.\n`);
    process.exit(2);
  }
  throw err;
}
if (opts === "help") {
  process.stdout.write(`${cpHelp()}\n`);
  process.exit(0);
}
if (opts === "version") {
  process.stdout.write(`${softwareVersion()}\n`);
  process.exit(0);
}

const log = createLogger(opts.logLevel);
try {
  // Loaded here: `backup` / `restore` above need none of the server code.
  const { startControlPlane } = await import("../control-plane.js");
  const cp = await startControlPlane(opts, log);
  if (cp.generatedAdminToken) {
    // Printed once, to the terminal only (never into the JSON log): the store keeps only its hash.
    process.stdout.write(
      `\nAdmin token (shown once; only its hash is stored): ${cp.generatedAdminToken}\n` +
        "Use it as: Authorization: Bearer <token>\n\n",
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    cp.close().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (err) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} catch (err) {
  // One clear line for the operator; the details go to the log.
  log.debug({ err }, "control plane failed to start");
  process.stderr.write(`palisade-cp: cannot start: ${startFailure(err)}\n`);
  process.exit(1);
}
