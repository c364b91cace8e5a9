// The benchmarks' realistic route set from GitHub's REST API description (@octokit/openapi,
// ~1,200 operations), scaled up by serving the API under several host names until the wanted
// route count. It lives in test-support (src/github-api.ts), shared with the tests that import
// the description: the package is installed on first use into bench/.cache/ (ignored by git),
// pinned, so `npm ci` stays lean. Needs `npm run build` (test-support's dist).
export { generateConfig, githubOperations, OPENAPI_PACKAGE, openapiDir } from "@palisade/test-support";
