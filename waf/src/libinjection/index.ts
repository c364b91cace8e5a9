/**
 * `@detectSQLi` and `@detectXSS`: libinjection's detectors, written from its published algorithm
 * and judged by its own test vectors and corpora (see README.md). Inputs are byte strings.
 */
export { detectSQLi } from "./sqli.js";
export { detectXSS } from "./xss.js";
