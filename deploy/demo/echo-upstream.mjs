// The demo upstream: answers every request with what it received, as JSON (method, URL, headers,
// body). `npm start` (demo.mjs) serves `echoHandler` in process; the compose fleet runs this file
// (`node echo-upstream.mjs`, port from ECHO_PORT, default 9080).
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

/** node:http request handler of the echo upstream. */
export function echoHandler(req, res) {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      `${JSON.stringify({ upstream: "demo-echo", method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }, null, 2)}\n`,
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.ECHO_PORT ?? 9080);
  const server = createServer(echoHandler);
  server.listen(port, "0.0.0.0", () => console.log(JSON.stringify({ msg: "listening", listener: "echo", port })));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
