import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { fetchedKeyUrl } from '../dev-keys/insecure-key-url.js';
import { type LoadedSpec, loadSpec } from './load-spec.js';
import { UsageError } from './usage-error.js';

/**
 * The spec loaded as the module loads it, for the dev issuer: API keys left aside (the dev issuer mints tokens, not
 * keys). The caller installs a `LogCollector` first, so the spec's warnings never mix with a printed token.
 */
export function loadDevSpec(path: string, serviceName: string | undefined): LoadedSpec {
  return loadSpec({ spec: path, serviceName, apiKeys: 'unchecked', tokenCache: false });
}

/** The definitions whose keys are fetched (a URL or OpenID discovery): those `ENDPOINTS_AUTH_DEV_JWKS_URI` repoints. */
export function fetchedDefinitions(spec: ResolvedSpec): EndpointsProvider[] {
  return [...spec.providers.values()].filter((provider) => fetchedKeyUrl(provider.keys) !== undefined);
}

/**
 * The definition a dev token is for: the one named (which must fetch its keys), or else the spec's only definition
 * whose keys are fetched; otherwise a `UsageError` listing the choices.
 */
export function pickDevDefinition(spec: ResolvedSpec, name: string | undefined): EndpointsProvider {
  const fetched = fetchedDefinitions(spec);
  const names = fetched.map((provider) => `"${provider.name}"`).join(', ');
  if (name !== undefined) {
    const found = spec.providers.get(name);
    if (!found) {
      throw new UsageError(`--definition "${name}" is not a JWT definition of ${spec.source}; the dev issuer signs for ${names || 'none of them (no definition fetches its keys)'}`);
    }
    if (!fetched.includes(found)) {
      throw new UsageError(`--definition "${name}" has its key written in the spec, which the dev issuer does not replace; it signs for ${names || 'no definition of this spec'}`);
    }
    return found;
  }
  if (fetched.length === 1) return fetched[0]!;
  if (fetched.length === 0) throw new UsageError(`no definition of ${spec.source} fetches its keys, so none takes the dev issuer's key`);
  throw new UsageError(`${spec.source} has ${fetched.length} definitions whose keys are fetched; name one with --definition: ${names}`);
}
