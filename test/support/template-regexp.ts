/**
 * The regular expression of a spec path template, `^/<template>/?$`, as ESPv2's `uri_template` reads it: `{var}` one
 * segment, `{var=**}` and `**` any run of segments (with an optional `:verb`), literals exact. The library matches
 * with its linear matcher (lib/api-config/path-matcher.ts); tests hold that matcher against this reference.
 */
import { segmentSource, segmentsOf, wildcardVerb } from '../../lib/api-config/path-template.util.js';

export function templateRegExp(template: string, flags = ''): RegExp {
  const body = segmentsOf(template)
    .map((segment) => {
      const verb = wildcardVerb(segment);
      return verb === undefined ? segmentSource(segment) : '.*' + verb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^/${body}/?$`, flags);
}
