import { isRecord } from './openapi-document.js';

/** What a served scheme says of a JWT definition, read from its `x-google-*` members (either spelling). */
export interface JwtSchemeFacts {
  issuer: string;
  jwksUri?: string;
  audiences?: string[];
  /** Token locations as ESP's `x-google-jwt-locations` entries (`header` + `value_prefix`, `query`, or `cookie`). */
  locations?: Record<string, string>[];
}

/** The JWT facts of a scheme (`x-google-issuer`, or OpenAPI 3's `x-google-auth`), `undefined` for any other scheme. */
export function jwtFactsOf(scheme: Record<string, unknown>): JwtSchemeFacts | undefined {
  const auth = isRecord(scheme['x-google-auth']) ? scheme['x-google-auth'] : {};
  const issuer = auth['issuer'] ?? scheme['x-google-issuer'];
  if (typeof issuer !== 'string') return undefined;
  const facts: JwtSchemeFacts = { issuer };
  const jwksUri = auth['jwksUri'] ?? scheme['x-google-jwks_uri'];
  if (typeof jwksUri === 'string') facts.jwksUri = jwksUri;
  const audiences = auth['audiences'] ?? scheme['x-google-audiences'];
  const list = typeof audiences === 'string' ? audiences.split(',') : Array.isArray(audiences) ? audiences.map(String) : [];
  const trimmed = list.map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (trimmed.length > 0) facts.audiences = trimmed;
  const locations = auth['jwtLocations'] ?? scheme['x-google-jwt-locations'];
  if (Array.isArray(locations)) facts.locations = locations.filter(isRecord).map(espLocation);
  return facts;
}

/** A JWT definition as ESP's OpenAPI 2 `securityDefinitions` spell it. */
export function openApi2JwtDefinition(facts: JwtSchemeFacts, description: unknown): Record<string, unknown> {
  return withDescription(
    {
      type: 'oauth2',
      flow: 'implicit',
      authorizationUrl: '',
      'x-google-issuer': facts.issuer,
      ...(facts.jwksUri ? { 'x-google-jwks_uri': facts.jwksUri } : {}),
      ...(facts.audiences ? { 'x-google-audiences': facts.audiences.join(',') } : {}),
      ...(facts.locations ? { 'x-google-jwt-locations': facts.locations } : {}),
    },
    description,
  );
}

/** A JWT definition as Endpoints' OpenAPI 3 `securitySchemes` spell it: `oauth2` with `x-google-auth`. */
export function openApi3JwtScheme(facts: JwtSchemeFacts, description: unknown): Record<string, unknown> {
  const auth: Record<string, unknown> = { issuer: facts.issuer };
  if (facts.jwksUri) auth['jwksUri'] = facts.jwksUri;
  if (facts.audiences) auth['audiences'] = facts.audiences;
  if (facts.locations) {
    auth['jwtLocations'] = facts.locations.map(({ value_prefix: valuePrefix, ...place }) => (valuePrefix ? { ...place, valuePrefix } : place));
  }
  return withDescription(
    { type: 'oauth2', flows: { implicit: { authorizationUrl: '', scopes: {} } }, 'x-google-auth': auth },
    description,
  );
}

function espLocation(entry: Record<string, unknown>): Record<string, string> {
  const prefix = entry['value_prefix'] ?? entry['valuePrefix'];
  if (entry['query'] !== undefined) return { query: String(entry['query']) };
  if (entry['cookie'] !== undefined) return { cookie: String(entry['cookie']) };
  const header = String(entry['header']);
  return typeof prefix === 'string' ? { header, value_prefix: prefix } : { header };
}

function withDescription(scheme: Record<string, unknown>, description: unknown): Record<string, unknown> {
  return typeof description === 'string' ? { ...scheme, description } : scheme;
}
