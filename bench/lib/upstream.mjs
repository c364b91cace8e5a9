// The upstream every system proxies to (nginx answering a fixed 100-byte JSON body) and the nginx
// launcher shared with the nginx system under test.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, httpRequest, waitFor } from "./net.mjs";
import { startProcess, stopProcess } from "./proc.mjs";

/** The upstream's fixed answer: 100 bytes of JSON. */
export const UPSTREAM_BODY = (() => {
  const head = '{"ok":true,"service":"palisade-bench-upstream","pad":"';
  const s = `${head}${"x".repeat(100 - head.length - 2)}"}`;
  if (Buffer.byteLength(s) !== 100) throw new Error("upstream body must be 100 bytes");
  return s;
})();

/** Response header the upstream sets from the request's X-User (proves identity headers arrive). */
export const SEEN_USER_HEADER = "x-bench-seen-user";

/**
 * Everything a system needs to start.
 * @typedef {object} BenchContext
 * @property {string} dir temp dir for configs, pid files, databases
 * @property {string} repoRoot
 * @property {number} upstreamPort
 * @property {string | null} sutCpus taskset CPU list for the system under test (null: no pinning)
 * @property {string | null} loadCpus taskset CPU list for load generators, the upstream and helpers
 * @property {(msg: string) => void} log progress line on stderr
 * @property {(line: string) => void} [onDpStdoutLine] every stdout line of palisade-dp (bench/profile.mjs reads --trace-gc)
 */

/**
 * nginx.conf around one `server` block: 1 worker in the foreground, no access log, every
 * writable path inside `dir`. Client keep-alive is unlimited-ish so wrk's connections are never
 * recycled (nginx's default of 1000 requests per connection would tax nginx alone).
 * @param {string} dir
 * @param {string} name
 * @param {string} http extra `http {}` content
 * @returns {string}
 */
function nginxConf(dir, name, http) {
  const p = (/** @type {string} */ s) => join(dir, `${name}-${s}`);
  return `worker_processes 1;
daemon off;
master_process on;
pid ${p("nginx.pid")};
error_log ${p("error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${p("client_body")};
  proxy_temp_path ${p("proxy")};
  fastcgi_temp_path ${p("fastcgi")};
  uwsgi_temp_path ${p("uwsgi")};
  scgi_temp_path ${p("scgi")};
  keepalive_requests 10000000;
  keepalive_timeout 120s;
${http}
}
`;
}

/**
 * Starts nginx on a generated config, in the foreground (`daemon off`).
 * @param {BenchContext} ctx
 * @param {string} name
 * @param {string} http
 * @param {string | null} cpus
 */
export function startNginx(ctx, name, http, cpus) {
  const conf = join(ctx.dir, `${name}-nginx.conf`);
  writeFileSync(conf, nginxConf(ctx.dir, name, http));
  // -e: the error log before the config is read (else nginx opens /var/log/nginx/error.log).
  return startProcess(name, "nginx", ["-p", ctx.dir, "-e", join(ctx.dir, `${name}-error.log`), "-c", conf], { cpus });
}

/**
 * Waits until `url` answers 200 with the upstream's body.
 * @param {string} url
 * @param {import("./proc.mjs").Tracked} proc
 * @param {Record<string, string>} [headers]
 * @param {number} [timeoutMs]
 */
export function waitServing(url, proc, headers = {}, timeoutMs = 15_000) {
  return waitFor(
    `${url} to answer 200`,
    async () => {
      const r = await httpRequest(url, { headers, timeoutMs: 2000 });
      return r.status === 200 && r.body === UPSTREAM_BODY ? r : undefined;
    },
    { timeoutMs, process: proc },
  );
}

/**
 * The upstream: nginx returning UPSTREAM_BODY for every path, pinned with the load.
 * @param {BenchContext} ctx
 * @returns {Promise<{port: number, proc: import("./proc.mjs").Tracked}>}
 */
export async function startUpstream(ctx) {
  const port = await freePort();
  const proc = startNginx(
    ctx,
    "upstream",
    `  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      add_header X-Bench-Seen-User $http_x_user;
      return 200 '${UPSTREAM_BODY}';
    }
  }`,
    ctx.loadCpus,
  );
  try {
    await waitServing(`http://127.0.0.1:${port}/`, proc);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return { port, proc };
}
