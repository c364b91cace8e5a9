import { pino } from "pino";
import { type ControlPlane, startControlPlane } from "../control-plane.js";
import { parseCpOptions } from "../options.js";

/**
 * A whole control plane started in this process for tests that drive it from outside (the CLI):
 * an in-memory database, admin and sync listeners on 127.0.0.1 port 0, logs silenced, `token` as
 * `PALISADE_ADMIN_TOKEN`. The caller closes it (`cp.close()`).
 * @returns the control plane and the environment `palisadectl` needs to reach it
 */
export async function startTestControlPlane(
  token: string,
): Promise<{ cp: ControlPlane; env: { PALISADE_ADMIN_URL: string; PALISADE_ADMIN_TOKEN: string } }> {
  const opts = parseCpOptions(
    ["--db", ":memory:", "--admin-listen", "127.0.0.1:0", "--sync-listen", "127.0.0.1:0", "--log-level", "silent"],
    { PALISADE_ADMIN_TOKEN: token },
  );
  if (opts === "help" || opts === "version") throw new Error("unexpected option parse result");
  const cp = await startControlPlane(opts, pino({ level: "silent" }));
  return { cp, env: { PALISADE_ADMIN_URL: `http://127.0.0.1:${cp.admin.port}`, PALISADE_ADMIN_TOKEN: token } };
}
