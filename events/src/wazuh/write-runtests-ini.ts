// Rewrites deploy/wazuh/palisade_tests.ini from wazuh-cases.ts (`npm run wazuh:ini -w @palisade/events`).
import { writeFileSync } from "node:fs";
import { runtestsIni } from "./wazuh-cases.js";

const target = new URL("../../../deploy/wazuh/palisade_tests.ini", import.meta.url);
writeFileSync(target, runtestsIni());
console.log(`wrote ${target.pathname}`);
