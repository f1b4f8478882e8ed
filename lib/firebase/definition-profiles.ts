import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { SpecError } from '../api-config/spec-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { KeyClock } from '../keys/key-clock.js';
import type { TokenProfile } from '../strategies/token-profile.interface.js';
import { firebaseProjectOf } from './firebase-issuer.js';
import { FirebaseProfile } from './firebase-profile.js';
import type { ResolvedFirebaseProfile } from './firebase-profile-options.interface.js';

/**
 * The profile of each definition the `definitions` option turns one on for, by name; every name must be a JWT
 * definition of the spec, and each profile must fit its definition, or the app does not start. `clock` is the clock
 * the revocation verdicts are kept and timed by.
 */
export function definitionProfiles(spec: ResolvedSpec, settings: ResolvedEndpointsAuthOptions, clock: KeyClock): Map<string, TokenProfile> {
  const profiles = new Map<string, TokenProfile>();
  for (const [name, options] of settings.definitions ?? []) {
    const provider = spec.providers.get(name);
    if (!provider) throw new SpecError('options', `"definitions.${name}": ${unknownDefinition(name, spec)}`);
    if (options.firebase) profiles.set(name, firebaseProfile(provider, options.firebase, clock));
  }
  return profiles;
}

function unknownDefinition(name: string, spec: ResolvedSpec): string {
  if (spec.nonJwt.has(name)) return `"${name}" is not a JWT definition of ${spec.source} (it has no x-google-issuer)`;
  const names = [...spec.providers.keys()].map((one) => `"${one}"`).join(', ') || 'none';
  return `${spec.source} has no JWT definition "${name}" (its JWT definitions: ${names})`;
}

/** The profile, once the definition is known to be one a Firebase token can pass. */
function firebaseProfile(provider: EndpointsProvider, settings: ResolvedFirebaseProfile, clock: KeyClock): FirebaseProfile {
  const where = `"definitions.${provider.name}.firebase"`;
  const project = firebaseProjectOf(provider.issuer);
  if (project === undefined) {
    throw new SpecError(
      'options',
      `${where}: the Firebase profile is for the issuers https://securetoken.google.com/<project> (ID tokens) and ` +
        `https://session.firebase.google.com/<project> (session cookies); "${provider.name}" has the issuer ${provider.issuer}`,
    );
  }
  if (provider.keys.kind === 'symmetric') {
    throw new SpecError('options', `${where}: the profile requires RS256, so "${provider.name}" cannot verify with a symmetric key written in the spec`);
  }
  // ESP's audience check runs too: when it cannot accept the project, no token could ever pass both.
  if (provider.audiences.length > 0 && !provider.audiences.includes(project)) {
    throw new SpecError(
      'options',
      `${where}: the profile requires the audience "${project}" (the project of ${provider.issuer}), which the definition's audiences ` +
        `(${provider.audiences.join(', ')}) do not accept; add it to x-google-audiences`,
    );
  }
  return new FirebaseProfile(provider.name, { project, tenants: settings.tenants }, settings, clock);
}
