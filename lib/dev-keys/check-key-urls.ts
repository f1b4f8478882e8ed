import type { Logger } from '@nestjs/common';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { SpecError } from '../api-config/spec-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { redactUrl } from '../keys/key-loader.js';
import { DEV_JWKS_URI_ENV } from './dev-jwks-uri.js';
import { fetchedKeyUrl, insecureKeyUrlReason } from './insecure-key-url.js';

/** A definition whose keys would be fetched over plain http or from a loopback host. */
export interface InsecureKeyUrl {
  name: string;
  url: string;
  reason: string;
}

/**
 * The start-up rule that keeps development keys out of production, run once the spec is read. In production
 * (`productionSignal`), `ENDPOINTS_AUTH_DEV_JWKS_URI` is refused whatever the options say, and so is a key URL over plain
 * http or on a loopback host unless `allowInsecureKeyUrls` is set. Elsewhere the variable costs one warning naming
 * the definitions it repoints.
 */
export function checkKeyUrls(spec: ResolvedSpec, settings: ResolvedEndpointsAuthOptions, logger: Logger): void {
  const dev = settings.devJwksUri;
  if (dev !== undefined) {
    if (settings.production) {
      throw new SpecError(
        'environment',
        `${DEV_JWKS_URI_ENV} is set and ${settings.production}: every definition whose keys are fetched would accept tokens signed by a local development key. Unset ${DEV_JWKS_URI_ENV} where the app is deployed (it is for local development only, and no option allows it in production)`,
      );
    }
    const repointed = [...spec.providers.values()].filter((provider) => fetchedKeyUrl(provider.keys) !== undefined).map((provider) => `"${provider.name}"`);
    logger.warn(
      repointed.length === 0
        ? `${DEV_JWKS_URI_ENV} is set, but no definition's keys are fetched: it changes nothing`
        : `${DEV_JWKS_URI_ENV} is set: the keys of ${repointed.join(', ')} come from the development key server at ${redactUrl(dev)}, not from the spec; never set it where the app is deployed`,
    );
  }
  if (!settings.production || settings.allowInsecureKeyUrls) return;
  const insecure = insecureKeyUrls(spec);
  if (insecure.length === 0) return;
  const list = insecure.map(({ name, url, reason }) => `"${name}" (${redactUrl(url)}: ${reason})`).join(', ');
  throw new SpecError(
    spec.source,
    `${settings.production} and the keys of ${list} would be fetched from a development key server: point x-google-jwks_uri at the issuer's https URL, or set the allowInsecureKeyUrls option to true if this key server is meant to serve production`,
  );
}

/** Every definition whose key URL (or discovery URL) is plain http or names a loopback host, in spec order. */
export function insecureKeyUrls(spec: ResolvedSpec): InsecureKeyUrl[] {
  const found: InsecureKeyUrl[] = [];
  for (const provider of spec.providers.values()) {
    const url = fetchedKeyUrl(provider.keys);
    const reason = url === undefined ? undefined : insecureKeyUrlReason(url);
    if (url !== undefined && reason !== undefined) found.push({ name: provider.name, url, reason });
  }
  return found;
}
