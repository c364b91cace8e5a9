import { checkHeaderNotReserved } from "../identity.js";

/** Checks an `api-key` policy config: the header may not be one the gateway owns. */
export function checkApiKeyConfig(config: { header?: string }): void {
  if (config.header !== undefined) checkHeaderNotReserved(config.header, "config.header");
}
