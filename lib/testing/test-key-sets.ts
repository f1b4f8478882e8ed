import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { type KeySetFactory, createKeySet } from '../keys/create-key-set.js';
import { type KeySet, StaticKeys } from '../keys/key-set.interface.js';
import type { SigningKey } from '../minting/signing-key.js';

/** One definition of a compiled app, as the kit mints for it; `conflict` when two apps define the name differently. */
export interface SeenDefinition {
  provider: EndpointsProvider;
  clockSkewSeconds: number;
  /** The first tenant its Firebase profile allows, which minted tokens name unless told otherwise. */
  tenant?: string;
  conflict?: boolean;
}

/** In-process keys: every fetched key set serves the kit's public key; nothing is fetched. */
class TestKeys extends StaticKeys {
  readonly description = 'in-process test keys (nestjs-endpoints-auth/testing)';
}

/**
 * The key-set factory the kit puts in place of the module's: a definition whose keys are fetched (a URL, OpenID
 * discovery) gets the kit's key; a key written in the spec stays, and the kit signs with it. Every definition it
 * builds a set for is recorded in `seen`, so the kit knows each one's issuer, audiences and locations.
 */
export function testKeySets(signingKey: SigningKey, seen: Map<string, SeenDefinition>): KeySetFactory {
  return (provider: EndpointsProvider, settings: ResolvedEndpointsAuthOptions, ...rest): KeySet => {
    const before = seen.get(provider.name);
    const tenants = settings.definitions?.get(provider.name)?.firebase?.tenants;
    const now: SeenDefinition = { provider, clockSkewSeconds: settings.clockSkewSeconds, tenant: tenants?.values().next().value };
    seen.set(provider.name, { ...now, conflict: before !== undefined && (before.conflict || mintsDifferently(before, now)) });
    if (provider.keys.kind === 'symmetric') return createKeySet(provider, settings, ...rest);
    return new TestKeys(signingKey.record());
  };
}

/** Whether tokens for one definition would differ between two apps: another issuer, audience, key, clock skew or tenant. */
function mintsDifferently(a: SeenDefinition, b: SeenDefinition): boolean {
  const shape = ({ provider, clockSkewSeconds, tenant }: SeenDefinition) =>
    JSON.stringify([provider.issuer, provider.mintedAudience, provider.audiences, provider.keys.kind, clockSkewSeconds, tenant ?? null]);
  const secret = ({ provider }: SeenDefinition) => (provider.keys.kind === 'symmetric' ? provider.keys.record.key : undefined);
  const [left, right] = [secret(a), secret(b)];
  return shape(a) !== shape(b) || (left !== undefined && right !== undefined && !left.equals(right));
}
