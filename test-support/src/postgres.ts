// Test helper: a throwaway PostgreSQL cluster (initdb + pg_ctl) in a temp directory, on a free
// loopback port, stopped and removed by the test that started it.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** Where Debian's postgresql-15 puts its server programs (scripts/test.mjs installs the package). */
export const PG_BIN = process.env.PALISADE_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * The unprivileged account the cluster runs as when the tests run as root (initdb and postgres
 * refuse root): Debian's `postgres` user, made by the postgresql package.
 */
export const PG_RUN_AS = "postgres";

/** A running throwaway cluster. */
export interface PostgresCluster {
  /** `postgres://palisade@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  readonly url: string;
  readonly port: number;
  /** The data directory (removed by stop). */
  readonly dir: string;
  /** The URL of database `name` on this cluster. */
  urlOf(name: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs a program of {@link PG_BIN} (pg_dump, psql…) as the cluster's user; resolves with its stdout. */
  tool(program: string, args: readonly string[]): Promise<string>;
  /** Stops the server, keeping its data (a database outage); {@link up} starts it again on the same port. */
  down(): Promise<void>;
  /** Starts the server stopped by {@link down}. */
  up(): Promise<void>;
  /** Stops the server (`pg_ctl stop -m fast`, this data directory only) and removes the directory. */
  stop(): Promise<void>;
}

/** uid and gid of `user`, from `id` (no native module needed). */
async function idsOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run("id", ["-u", user])).stdout.trim());
  const gid = Number((await run("id", ["-g", user])).stdout.trim());
  return { uid, gid };
}

/**
 * Creates a cluster with `initdb` in a new temp directory (superuser `palisade`, trust on
 * loopback, no fsync: test data only), starts it with `pg_ctl` on a free 127.0.0.1 port with
 * its socket in the data directory, and waits until it accepts connections. As root, the
 * directory is given to {@link PG_RUN_AS} and every program runs as that user through `runuser`.
 * @throws when the programs are missing (install Debian's `postgresql`) or the server does not start
 */
export async function startPostgres(): Promise<PostgresCluster> {
  if (!existsSync(join(PG_BIN, "initdb")))
    throw new Error(`no ${join(PG_BIN, "initdb")}: install PostgreSQL (apt-get install -y postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), "palisade-pg-"));
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root) {
    const { uid, gid } = await idsOf(PG_RUN_AS);
    chownSync(dir, uid, gid);
  }
  const exec = async (program: string, args: readonly string[]) => {
    const bin = join(PG_BIN, program);
    const r = root
      ? await run("runuser", ["-u", PG_RUN_AS, "--", bin, ...args], { maxBuffer: 256 * 1024 * 1024 })
      : await run(bin, [...args], { maxBuffer: 256 * 1024 * 1024 });
    return r.stdout;
  };
  const data = join(dir, "data");
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  const start = () =>
    exec("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
  const halt = () => exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  try {
    await exec("initdb", ["-D", data, "-U", "palisade", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-N"]);
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const urlOf = (name: string) => `postgres://palisade@127.0.0.1:${port}/${name}`;
  let stopped = false;
  let running = true;
  return {
    url: urlOf("postgres"),
    port,
    dir,
    urlOf,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new RangeError(`not a plain database name: ${name}`);
      await exec("psql", [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "palisade",
        "-d",
        "postgres",
        "-qAt",
        "-c",
        `CREATE DATABASE ${name}`,
      ]);
      return urlOf(name);
    },
    tool: exec,
    async down() {
      await halt();
      running = false;
    },
    async up() {
      await start();
      running = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (running) await halt();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
