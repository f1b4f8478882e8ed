import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import { describeDuration } from '../errors/describe-duration.js';

/** What `verify` found about one token: the facts both of its outputs, the text and `--json`, carry (never the token). */
export type VerifyVerdict =
  | { accepted: true; definition: string; issuer: string; claims: JwtClaims }
  | { accepted: false; status: number; errorCode: string; message: string; reason: string };

/** The verdict as `verify` prints it for a reader: a line on the definition and the expiry, then the claims. */
export function verdictAsText(verdict: VerifyVerdict, nowSeconds: number): string {
  if (!verdict.accepted) {
    return `refused: ${verdict.message}\nerrorCode: ${verdict.errorCode} (HTTP ${verdict.status})\nreason: ${verdict.reason}\n`;
  }
  const left = verdict.claims.exp - nowSeconds;
  const expiry = left >= 0 ? `expires in ${describeDuration(left)}` : `expired ${describeDuration(left)} ago, within the clock skew`;
  return `accepted by "${verdict.definition}" (issuer ${verdict.issuer}); ${expiry}\n${JSON.stringify(verdict.claims, null, 2)}\n`;
}

/**
 * The verdict as one JSON document on one line, for scripts (`jq`). The expiry in words is left out: it is `exp`
 * against this machine's clock at one moment, which a script reads from `claims.exp` against its own.
 */
export function verdictAsJson(verdict: VerifyVerdict): string {
  // Fields named one by one, so the document holds these facts only, in this order, whatever the verdict object holds.
  const document = verdict.accepted
    ? { accepted: true, definition: verdict.definition, issuer: verdict.issuer, claims: verdict.claims }
    : { accepted: false, status: verdict.status, errorCode: verdict.errorCode, message: verdict.message, reason: verdict.reason };
  return `${JSON.stringify(document)}\n`;
}
