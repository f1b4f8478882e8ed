import { redactUrl } from '../keys/key-loader.js';
import { SpecError } from '../api-config/spec-error.js';

/** The environment variable that points every definition whose keys are fetched at a local development key server. */
export const DEV_JWKS_URI_ENV = 'ENDPOINTS_AUTH_DEV_JWKS_URI';

/**
 * The development JWKS URL from the environment, read once when the options are resolved; `undefined` when unset or
 * empty (`export ENDPOINTS_AUTH_DEV_JWKS_URI=` switches it off). Anything but an http(s) URL is a start-up error.
 */
export function readDevJwksUri(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[DEV_JWKS_URI_ENV]?.trim();
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not quoted: the variable may hold anything a shell was given.
    throw new SpecError('environment', `${DEV_JWKS_URI_ENV} is not a URL; expected the JWKS URL endpoints-auth dev-issuer prints`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SpecError('environment', `${DEV_JWKS_URI_ENV} (${redactUrl(value)}) must be an http or https URL`);
  }
  return value;
}
