// The upstream client suite (upstream-client-suite.ts) with the engine's ClientPool under the
// attempt layer: retries, breaker, timeouts, outlier detection, health checks and balancing
// behave the same on it as on undici's Pool.
import { upstreamClientSuite } from "./upstream-client-suite.js";

upstreamClientSuite("engine");
