import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_THRESHOLDS, Thresholds } from "./thresholds.js";

describe("threshold config", () => {
  it("merges a route's override over the defaults", () => {
    const t = new Thresholds({
      defaults: { bruteForce: { minPerMin: 20 } },
      routes: { login: { bruteForce: { ratio: 8 }, payload: { enabled: false } } },
    });
    assert.deepEqual(t.forRoute("login").bruteForce, { enabled: true, minPerMin: 20, ratio: 8 });
    assert.equal(t.forRoute("login").payload.enabled, false);
    assert.deepEqual(t.forRoute("other").bruteForce, { ...DEFAULT_THRESHOLDS.bruteForce, minPerMin: 20 });
  });

  it("refuses a bad config naming the field", () => {
    const cases: Array<[unknown, string]> = [
      [{ routes: { login: { bruteForce: { ratio: 0.5 } } } }, "routes.login.bruteForce.ratio"],
      [{ routes: { login: { bruteForce: { ratio: "4" } } } }, "routes.login.bruteForce.ratio"],
      [{ defaults: { nosuch: {} } }, "defaults.nosuch"],
      [{ defaults: { payload: { sizefactor: 2 } } }, "defaults.payload.sizefactor"],
      [{ defaults: { credentialStuffing: { minClients: 2.5 } } }, "defaults.credentialStuffing.minClients"],
      [{ defaults: { errorRate: { minFraction5xx: 2 } } }, "defaults.errorRate.minFraction5xx"],
      [{ defaults: { volumetric: { enabled: "yes" } } }, "defaults.volumetric.enabled"],
      [{ extra: 1 }, "extra"],
      [{ routes: [] }, "routes"],
    ];
    for (const [config, field] of cases) {
      assert.throws(() => new Thresholds(config as never), { code: "THRESHOLD_INVALID", field }, field);
    }
  });
});
