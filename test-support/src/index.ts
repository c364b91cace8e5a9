export { type PemPair, TestCa } from "./certs.js";
export { ClientCa, type ClientCertSpec, type ClientPem } from "./client-ca.js";
