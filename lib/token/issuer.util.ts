/** The two spellings Google gives the issuer of its ID tokens ("iss" in Google's OpenID Connect documentation). */
const GOOGLE_ID_TOKEN_ISSUERS: ReadonlySet<string> = new Set(['https://accounts.google.com', 'accounts.google.com']);

/**
 * Whether a token's `iss` names the definition's issuer: byte for byte, as ESPv2 compares, except that a definition of
 * Google's ID-token issuer takes either spelling Google uses (and no other definition takes the bare one).
 */
export function issuerMatches(iss: unknown, issuer: string): boolean {
  return iss === issuer || (GOOGLE_ID_TOKEN_ISSUERS.has(issuer) && GOOGLE_ID_TOKEN_ISSUERS.has(iss as string));
}

/** The issuer under which two definitions would claim the same tokens (both Google spellings are one issuer). */
export function canonicalIssuer(issuer: string): string {
  return GOOGLE_ID_TOKEN_ISSUERS.has(issuer) ? 'https://accounts.google.com' : issuer;
}

/**
 * Whether every genuine token of this issuer carries `iat`, so a token without one is refused: Google ID tokens,
 * Firebase ID tokens and session cookies, and service-account JWTs always do, while a generic issuer may leave it out
 * (ESP accepts that).
 */
export function requiresIssuedAt(issuer: string): boolean {
  return (
    GOOGLE_ID_TOKEN_ISSUERS.has(issuer) ||
    issuer.startsWith('https://securetoken.google.com/') ||
    issuer.startsWith('https://session.firebase.google.com/') ||
    // Service-account e-mails are matched without regard to case, as the key-URL inference does.
    issuer.toLowerCase().endsWith('.gserviceaccount.com')
  );
}
