// A fake control plane for tests: a real grpc-js server on 127.0.0.1:0 that records every
// ConfigSyncService stream and message.
import * as grpc from "@grpc/grpc-js";
import { configSyncServiceDefinition, type StreamConfigRequest, type StreamConfigResponse } from "@palisade/proto";

type Call = grpc.ServerDuplexStream<StreamConfigRequest, StreamConfigResponse>;

/** A fake control plane: records every stream and message. */
export async function fakeControlPlane() {
  const streams: { call: Call; messages: StreamConfigRequest[] }[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };
  const server = new grpc.Server();
  server.addService(configSyncServiceDefinition, {
    streamConfig(call: Call) {
      const s = { call, messages: [] as StreamConfigRequest[] };
      // Headers at once, as the real control plane sends them: the node knows the stream is up.
      call.sendMetadata(new grpc.Metadata());
      streams.push(s);
      call.on("data", (m: StreamConfigRequest) => {
        s.messages.push(m);
        notify();
      });
      call.on("error", () => {});
      call.on("end", () => call.end());
      notify();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  /** Waits until `pred` holds (checked on every message), failing after 5 s. */
  const until = async (pred: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the data plane");
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { port, streams, until, close: () => server.forceShutdown() };
}
