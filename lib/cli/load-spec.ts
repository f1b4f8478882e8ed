import type { EndpointsAuthOptions, ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { resolveOptions } from '../options/resolve-options.js';
import { resolveSpec } from '../api-config/resolve-spec.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';

/** A spec loaded as the module loads it at start-up, with the settings it was resolved with. */
export interface LoadedSpec {
  options: EndpointsAuthOptions;
  settings: ResolvedEndpointsAuthOptions;
  spec: ResolvedSpec;
}

/**
 * Resolves the options, then the spec, exactly as the module's providers do; a problem throws the module's
 * `SpecError` with the module's message.
 */
export function loadSpec(options: EndpointsAuthOptions): LoadedSpec {
  const settings = resolveOptions(options);
  return { options, settings, spec: resolveSpec(options, settings) };
}
