import { DEV_JWKS_URI_ENV } from '../dev-keys/dev-jwks-uri.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { EndpointsProvider, ProviderKeys } from '../interfaces/provider.interface.js';
import type { KeyClock } from './key-clock.js';
import { spanUrl } from '../telemetry/span-url.util.js';
import type { TracerLike } from '../telemetry/tracer-like.js';
import type { EndpointsAuthCounters } from './key-counters.js';
import { discoveryLoader, redactUrl, remoteLoader } from './key-loader.js';
import { type KeySet, StaticKeys } from './key-set.interface.js';
import { KeyStore } from './key-store.js';

/** Makes the key set of one definition; the testing kit swaps it to serve in-process keys. */
export type KeySetFactory = (
  provider: EndpointsProvider,
  settings: ResolvedEndpointsAuthOptions,
  counters: EndpointsAuthCounters,
  clock?: KeyClock,
  tracer?: TracerLike,
) => KeySet;

/** Injection token of the `KeySetFactory`; not public: only `nestjs-endpoints-auth/testing` overrides it. */
export const ENDPOINTS_AUTH_KEY_SETS = 'ENDPOINTS_AUTH:KEY_SETS';

/**
 * The key set a definition verifies with: its key written in the spec, or a store over the right loader that keeps
 * time by `clock` and traces its fetches to `tracer`; with `ENDPOINTS_AUTH_DEV_JWKS_URI` set, fetched keys come from
 * that URL instead (issuer, audiences and locations stay the definition's).
 */
export const createKeySet: KeySetFactory = function createKeySet(
  provider: EndpointsProvider,
  settings: ResolvedEndpointsAuthOptions,
  counters: EndpointsAuthCounters,
  clock?: KeyClock,
  tracer?: TracerLike,
): KeySet {
  const source = provider.keys;
  if (source.kind === 'symmetric') return new StaticKeys(source.record);
  const policy = {
    ttlMs: settings.keyTtlSeconds * 1000,
    staleGraceMs: settings.staleGraceSeconds * 1000,
    unknownKidCooldownMs: settings.unknownKidCooldownSeconds * 1000,
  };
  const dev = settings.devJwksUri;
  if (dev !== undefined) {
    const description = `${redactUrl(dev)} (${DEV_JWKS_URI_ENV}; the spec's: ${describeKeys(source)})`;
    const tracing = tracer && { tracer, url: spanUrl(dev) };
    return new DevKeyStore(description, provider.name, remoteLoader(provider.name, dev, settings), policy, counters, clock, tracing);
  }
  const loader =
    source.kind === 'remote'
      ? remoteLoader(provider.name, source.uri, settings)
      : discoveryLoader(provider.name, source.url, settings);
  // A discovery definition's spans name the discovery URL: the key URL it names is learnt on the first fetch.
  const tracing = tracer && { tracer, url: spanUrl(source.kind === 'remote' ? source.uri : source.url) };
  return new KeyStore(provider.name, loader, policy, counters, clock, tracing);
};

/** A store over the development key server, whose start-up line says so. */
class DevKeyStore extends KeyStore {
  constructor(
    readonly description: string,
    ...store: ConstructorParameters<typeof KeyStore>
  ) {
    super(...store);
  }
}

/** Where a definition's keys come from, for its start-up line (never the key itself). */
export function describeKeys(keys: ProviderKeys): string {
  if (keys.kind === 'remote') return redactUrl(keys.uri);
  if (keys.kind === 'discovery') return `from OpenID discovery at ${redactUrl(keys.url)}`;
  return `a symmetric key written in the spec (${[...keys.record.algorithms].join(', ')})`;
}
