export { type PemPair, TestCa } from "./certs.js";
export { stopChild } from "./child-process.js";
export { ClientCa, type ClientCertSpec, type ClientPem } from "./client-ca.js";
export { freePort } from "./free-port.js";
export {
  type GeneratedConfig,
  type GithubOperation,
  generateConfig,
  githubDescriptionPath,
  githubOperations,
  OPENAPI_PACKAGE,
  openapiDir,
} from "./github-api.js";
export { PG_BIN, PG_RUN_AS, type PostgresCluster, startPostgres } from "./postgres.js";
export { type Rsyslog, type RsyslogOptions, type RsyslogTls, startRsyslog } from "./rsyslog.js";
