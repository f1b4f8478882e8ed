import { describe } from '../api-config/load-spec-document.js';
import { SpecError } from '../api-config/spec-error.js';
import { resolveFirebaseProfile } from '../firebase/resolve-firebase-profile.js';
import type { ResolvedDefinitionOptions } from '../interfaces/endpoints-auth-options.interface.js';

const KNOWN = new Set(['firebase']);

/**
 * The `definitions` option checked and filled in, by definition name. Whether each name is a definition of the spec,
 * and one its settings fit, is checked once the spec is read (`definitionProfiles`).
 */
export function resolveDefinitionOptions(value: unknown): ReadonlyMap<string, ResolvedDefinitionOptions> {
  const resolved = new Map<string, ResolvedDefinitionOptions>();
  if (value === undefined) return resolved;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError('options', `"definitions" must be an object keyed by definition name; got ${describe(value)}`);
  }
  for (const [name, settings] of Object.entries(value)) {
    const where = `definitions.${name}`;
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new SpecError('options', `"${where}" must be an object; got ${describe(settings)}`);
    }
    const unknown = Object.keys(settings).filter((setting) => !KNOWN.has(setting));
    if (unknown.length > 0) {
      throw new SpecError('options', `"${where}.${unknown[0]}" is not a definition setting; the settings are ${[...KNOWN].join(', ')}`);
    }
    resolved.set(name, { firebase: resolveFirebaseProfile((settings as Record<string, unknown>)['firebase'], `${where}.firebase`) });
  }
  return resolved;
}
