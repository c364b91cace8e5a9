// The compose fleet's demo upstream: answers every request with what it received, as JSON
// (method, URL, headers, body), like npm start's echo. Port from ECHO_PORT (default 9080).
import { createServer } from "node:http";

const port = Number(process.env.ECHO_PORT ?? 9080);
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      `${JSON.stringify({ upstream: "demo-echo", method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }, null, 2)}\n`,
    );
  });
});
server.listen(port, "0.0.0.0", () => console.log(JSON.stringify({ msg: "listening", listener: "echo", port })));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
