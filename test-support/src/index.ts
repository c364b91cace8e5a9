export { type PemPair, TestCa } from "./certs.js";
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
