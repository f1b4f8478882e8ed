import { isUrl } from './symmetric-key.js';

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';
const X509_METADATA_URL = 'https://www.googleapis.com/robot/v1/metadata/x509/';
// The domains of Google service accounts: user-managed (`PROJECT.iam`, domain-scoped projects included), the legacy
// Compute Engine and App Engine defaults, and Google's own system accounts (securetoken, which signs Firebase tokens).
const SERVICE_ACCOUNT =
  /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?@(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.iam|developer|appspot|system)\.gserviceaccount\.com$/i;

/**
 * The OpenID discovery URL of `issuer`, built exactly as ESPv2 (`ResolveJwksUriUsingOpenID`): `https://` prefixed
 * when the issuer does not start with `http`, one trailing `/` removed, `/.well-known/openid-configuration` appended.
 */
export function discoveryUrl(issuer: string): string {
  const base = issuer.startsWith('http') ? issuer : `https://${issuer}`;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}${DISCOVERY_SUFFIX}`;
}

/**
 * Google's X.509 certificate URL for a service-account issuer (`…@….gserviceaccount.com`), or undefined for any
 * other issuer; Google documents this inference, ESP does not make it.
 */
export function serviceAccountCertsUrl(issuer: string): string | undefined {
  if (!SERVICE_ACCOUNT.test(issuer)) return undefined;
  // The pattern admits only characters a path segment holds as they are; `@` is one (RFC 3986 pchar), and Google's
  // documented URLs write it raw (…/x509/securetoken@system.gserviceaccount.com), so the e-mail is used verbatim.
  return X509_METADATA_URL + issuer;
}

/**
 * The `jwks_uri` of an OpenID discovery document; throws when the document is not an object or the member is not an
 * http(s) URL (ESPv2 only requires a string, and fails later when it does not parse as a URL).
 */
export function jwksUriFromDiscovery(document: unknown): string {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('the OpenID discovery document is not a JSON object');
  }
  const jwksUri = (document as Record<string, unknown>)['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new Error('the OpenID discovery document has no string "jwks_uri"');
  // The value is not echoed: it came from the network and would go into a log line as is.
  if (!isUrl(jwksUri)) throw new Error('the "jwks_uri" of the OpenID discovery document is not an http(s) URL');
  return jwksUri;
}
