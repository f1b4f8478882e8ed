import type { AuthError } from './auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { describeKeys } from '../keys/create-key-set.js';
import type { KeyRecord } from '../keys/key-record.interface.js';
import { selectKeys } from '../keys/select-keys.js';
import { sanitizeAudience } from '../token/audience.util.js';
import { issuerMatches } from '../token/issuer.util.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import { SIGNATURE_REMOVED_MESSAGE } from '../token/signature-removed.js';
import { describeDuration, describeInstant } from './describe-duration.js';
import { quoteClaim } from './quote-claim.util.js';

/** What is known about a refused token when its refusal is put in words. */
export interface RejectionContext {
  /** The token as the strict reader read it; absent when it could not be read. */
  jwt?: ParsedJwt;
  /** The definitions it was checked against. */
  candidates: readonly EndpointsProvider[];
  /** The audiences that replaced the definitions' own (`--audience`). */
  audiences?: readonly string[];
  clockSkewSeconds: number;
  nowSeconds: number;
  /** The keys a definition holds now, when it has any. */
  keysOf(name: string): readonly KeyRecord[] | undefined;
  /** What the key store logged about a failed fetch of this definition's keys. */
  fetchFailureOf(name: string): string | undefined;
}

const CLOUD_RUN_ADVICE =
  "Cloud Run's IAM check verified this token and replaced its signature before the request reached the app. Either " +
  'allow unauthenticated invocations and let the module verify the token, or send the IAM token in ' +
  "X-Serverless-Authorization and the app's own token in Authorization (docs/cloud-run.md)";

/**
 * Why the module refused a token, in plain words (never the token itself, nor its signature); what the sender chose
 * (`iss`, `aud`, `kid`) is quoted escaped and cut short, since the server logs this for every refusal.
 */
export function explainRejection(error: AuthError, context: RejectionContext): string {
  const { jwt } = context;
  if (error.message === SIGNATURE_REMOVED_MESSAGE) return CLOUD_RUN_ADVICE;
  if (!jwt) return `the token cannot be read: ${error.message}`;
  const provider = context.candidates.find((candidate) => issuerMatches(jwt.payload.iss, candidate.issuer));
  switch (error.code) {
    case 'UNKNOWN_ISSUER':
      return unknownIssuer(jwt, context.candidates);
    case 'TOKEN_EXPIRED':
      return expired(jwt, context);
    case 'TOKEN_NOT_YET_VALID':
      return notYetValid(jwt, context);
    case 'AUDIENCE_NOT_ALLOWED':
      return audience(jwt, context.audiences?.map(sanitizeAudience) ?? provider?.audiences ?? []);
    case 'KEY_NOT_FOUND':
      return provider ? keyNotFound(jwt, provider, context.keysOf(provider.name) ?? []) : error.message;
    case 'KEYS_UNAVAILABLE':
      return provider ? keysUnavailable(provider, context.fetchFailureOf(provider.name)) : error.message;
    case 'INVALID_TOKEN':
      if (error.message !== 'Jwt verification fails' || !provider) return `the token cannot be read: ${error.message}`;
      return badSignature(jwt, provider, context.keysOf(provider.name) ?? []);
    default:
      return error.message;
  }
}

function unknownIssuer(jwt: ParsedJwt, candidates: readonly EndpointsProvider[]): string {
  const iss = jwt.payload.iss;
  const issuers = candidates.map((candidate) => `"${candidate.name}" (${candidate.issuer})`).join(', ');
  if (iss === undefined) return `the token has no "iss" claim; the issuers checked: ${issuers}`;
  return `the token's issuer ${quoteClaim(iss)} is not the issuer of ${candidates.length === 1 ? 'the definition' : 'any definition'} checked: ${issuers}`;
}

function expired(jwt: ParsedJwt, context: RejectionContext): string {
  const exp = jwt.payload.exp;
  return `the token expired ${describeDuration(context.nowSeconds - exp)} ago (exp ${describeInstant(exp)}; ${context.clockSkewSeconds} s of clock skew allowed)`;
}

function notYetValid(jwt: ParsedJwt, context: RejectionContext): string {
  const { nbf, iat } = jwt.payload;
  const skew = `${context.clockSkewSeconds} s of clock skew allowed`;
  if (nbf !== undefined && context.nowSeconds + context.clockSkewSeconds < Math.trunc(nbf)) {
    return `the token is valid only from ${describeInstant(nbf)} (nbf), ${describeDuration(nbf - context.nowSeconds)} from now; ${skew}`;
  }
  const issued = iat ?? context.nowSeconds;
  return `the token says it was issued ${describeDuration(issued - context.nowSeconds)} in the future (iat ${describeInstant(issued)}): the issuer's clock or this machine's is wrong; ${skew}`;
}

function audience(jwt: ParsedJwt, allowed: readonly string[]): string {
  const aud = jwt.payload.aud;
  const given = aud === undefined ? 'the token has no "aud" claim' : `the token's audience ${quoteClaim(aud)} is not allowed`;
  return `${given}; allowed: ${allowed.map((entry) => JSON.stringify(entry)).join(', ')} (compared without http(s):// and one trailing /)`;
}

function keyNotFound(jwt: ParsedJwt, provider: EndpointsProvider, keys: readonly KeyRecord[]): string {
  const { alg, kid } = jwt.header;
  const where = describeKeys(provider.keys);
  const kids = keys.map((key) => (key.kid === undefined ? '(no kid)' : `"${key.kid}"`)).join(', ') || 'none usable';
  if (kid !== undefined && !keys.some((key) => key.kid === kid)) return `no key in ${where} has kid ${quoteClaim(kid)} (kids there: ${kids})`;
  return `no key in ${where}${kid === undefined ? '' : ` with kid ${quoteClaim(kid)}`} can verify ${alg} (kids there: ${kids})`;
}

function keysUnavailable(provider: EndpointsProvider, failure: string | undefined): string {
  return `the keys of "${provider.name}" at ${describeKeys(provider.keys)} could not be fetched${failure ? `: ${failure}` : ''}`;
}

function badSignature(jwt: ParsedJwt, provider: EndpointsProvider, keys: readonly KeyRecord[]): string {
  const tried = selectKeys(keys, jwt.header.alg, jwt.header.kid);
  const kids = tried.map((key) => (key.kid === undefined ? '(no kid)' : `"${key.kid}"`)).join(', ');
  return `the ${jwt.header.alg} signature does not verify with ${tried.length === 1 ? 'the key' : `any of the ${tried.length} keys`} of "${provider.name}" that could (${kids}): the token was altered or signed with another key`;
}
