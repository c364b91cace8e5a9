export { type PemPair, TestCa } from "./certs.js";
export { stopChild } from "./child-process.js";
export { ClientCa, type ClientCertSpec, type ClientPem } from "./client-ca.js";
export {
  type GeneratedConfig,
  type GithubOperation,
  generateConfig,
  githubDescriptionPath,
  githubOperations,
  OPENAPI_PACKAGE,
  openapiDir,
} from "./github-api.js";
export { type Rsyslog, type RsyslogOptions, type RsyslogTls, startRsyslog } from "./rsyslog.js";
