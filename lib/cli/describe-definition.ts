import type { EndpointsProvider, JwtLocation } from '../interfaces/provider.interface.js';
import { redactUrl } from '../keys/key-loader.js';

/** The lines `check` prints for one definition: issuer, where its keys come from, audiences and token locations. */
export function describeDefinition(provider: EndpointsProvider, inferredKeys: boolean): string[] {
  const audiences = provider.audiences.length > 0 ? provider.audiences.join(', ') : 'any (the service-name check is disabled)';
  return [
    `  ${provider.name}`,
    `    issuer     ${provider.issuer}`,
    `    keys       ${describeKeySource(provider, inferredKeys)}`,
    `    audiences  ${audiences}`,
    `    locations  ${provider.locations.map(describeLocation).join(', ')}`,
  ];
}

function describeKeySource(provider: EndpointsProvider, inferredKeys: boolean): string {
  const keys = provider.keys;
  if (keys.kind === 'symmetric') return `symmetric key in the spec (${[...keys.record.algorithms].join(', ')})`;
  if (keys.kind === 'discovery') return `OpenID discovery at ${redactUrl(keys.url)}`;
  // A query may carry an API key: it is left out, as in the module's log lines.
  return inferredKeys ? `inferred service-account certificates at ${redactUrl(keys.uri)}` : redactUrl(keys.uri);
}

function describeLocation(location: JwtLocation): string {
  if ('query' in location) return `query ${location.query}`;
  if ('cookie' in location) return `cookie ${location.cookie}`;
  return location.valuePrefix ? `header ${location.header} "${location.valuePrefix}"` : `header ${location.header}`;
}
