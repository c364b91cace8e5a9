// Multi-module test of the upstream client with undici's Pool under the attempt layer (the suite
// is upstream-client-suite.ts; upstream-client-engine.test.ts runs it on the engine's ClientPool).
import { upstreamClientSuite } from "./upstream-client-suite.js";

upstreamClientSuite("undici");
