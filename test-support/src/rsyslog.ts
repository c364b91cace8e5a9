// Test helper: a real rsyslogd (Debian's rsyslog; TLS through rsyslog-openssl's "ossl" driver)
// on loopback ports, writing every message it receives, as received (%rawmsg%), to a file.
// Started and stopped (by PID) by the test; scripts/test.mjs installs the packages.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopChild } from "./child-process.js";

/** TLS material of the receiver, PEM. */
export interface RsyslogTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Options of {@link startRsyslog}. */
export interface RsyslogOptions {
  /** Serve TLS (RFC 5425) on the TCP port instead of plain TCP. */
  readonly tls?: RsyslogTls;
  /** Reuse ports (a restart); default free ones. */
  readonly tcpPort?: number;
  readonly udpPort?: number;
  /** Reuse the output folder (a restart keeps what was received). */
  readonly dir?: string;
}

/** A running rsyslogd. */
export interface Rsyslog {
  readonly tcpPort: number;
  readonly udpPort: number;
  readonly dir: string;
  /** Every message received so far, one per entry, as received (with its PRI). */
  received(): string[];
  /** SIGTERM by PID and wait (rsyslog writes what it holds first). */
  stop(): Promise<void>;
  /** Deletes the output folder. */
  dispose(): void;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Starts rsyslogd in the foreground (`-n`) with a config of its own and waits until it listens.
 * @throws naming the package to install when rsyslogd (or its TLS driver) is missing
 */
export async function startRsyslog(opts: RsyslogOptions = {}): Promise<Rsyslog> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "palisade-rsyslog-"));
  const portFile = join(dir, "tcp.port");
  rmSync(portFile, { force: true });
  const udpPort = opts.udpPort ?? (await freeUdpPort());
  const out = join(dir, "received.log");
  const lines = [`global(workDirectory="${dir}" maxMessageSize="64k")`];
  if (opts.tls) {
    for (const [f, pem] of [
      ["ca.pem", opts.tls.caPem],
      ["cert.pem", opts.tls.certPem],
      ["key.pem", opts.tls.keyPem],
    ] as const) {
      writeFileSync(join(dir, f), pem, { mode: 0o600 });
    }
    lines.push(`module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")`);
  } else {
    lines.push(`module(load="imtcp")`);
  }
  lines.push(
    `module(load="imudp")`,
    `template(name="raw" type="string" string="%rawmsg%\\n")`,
    `input(type="imtcp" address="127.0.0.1" port="${opts.tcpPort ?? 0}" listenPortFileName="${portFile}" ruleset="out"${
      opts.tls
        ? ` streamDriver.CAFile="${join(dir, "ca.pem")}" streamDriver.CertFile="${join(dir, "cert.pem")}" streamDriver.KeyFile="${join(dir, "key.pem")}"`
        : ""
    })`,
    `input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="out")`,
    `ruleset(name="out") { action(type="omfile" file="${out}" template="raw") }`,
  );
  const conf = join(dir, "rsyslog.conf");
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const child: ChildProcess = spawn("rsyslogd", ["-n", "-f", conf, "-i", join(dir, "rsyslogd.pid")], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (b: Buffer) => (log += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "ENOENT"
          ? new Error("rsyslogd is not installed: apt-get install rsyslog rsyslog-openssl (npm test does)")
          : e,
      ),
    );
    void exited.then(() => {
      const hint = /ossl|netstream/i.test(log) ? " (the TLS driver comes with Debian's rsyslog-openssl)" : "";
      reject(new Error(`rsyslogd exited before it listened${hint}:\n${log}`));
    });
    // rsyslog writes listenPortFileName only for port 0; a fixed port is ready once it accepts.
    const deadline = Date.now() + 15_000;
    const poll = setInterval(() => {
      if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`rsyslogd did not listen within 15 s:\n${log}`));
      } else if (opts.tcpPort === undefined) {
        if (existsSync(portFile) && readFileSync(portFile, "utf8").trim() !== "") {
          clearInterval(poll);
          resolve();
        }
      } else {
        const probe = connect({ host: "127.0.0.1", port: opts.tcpPort }, () => {
          probe.destroy();
          clearInterval(poll);
          resolve();
        });
        probe.on("error", () => probe.destroy());
      }
    }, 50);
    void exited.then(() => clearInterval(poll));
  });
  const tcpPort = opts.tcpPort ?? Number(readFileSync(portFile, "utf8").trim());
  return {
    tcpPort,
    udpPort,
    dir,
    received: () =>
      existsSync(out)
        ? readFileSync(out, "utf8")
            .split("\n")
            // The last piece is a line rsyslog is still writing (or ""): only whole lines count.
            .slice(0, -1)
            .filter((l) => l !== "")
        : [],
    stop: () => stopChild(child, exited),
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
