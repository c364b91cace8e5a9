export { type PemPair, TestCa } from "./certs.js";
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
