/** The issuers of Firebase ID tokens and of Firebase session cookies, each followed by the project ID. */
const FIREBASE_ISSUER_PREFIXES = ['https://securetoken.google.com/', 'https://session.firebase.google.com/'] as const;

/**
 * The Firebase project of an issuer: what follows `https://securetoken.google.com/` (ID tokens) or
 * `https://session.firebase.google.com/` (session cookies); `undefined` for any other issuer, or an empty or nested
 * project (a project ID never holds a `/`).
 */
export function firebaseProjectOf(issuer: string): string | undefined {
  const prefix = FIREBASE_ISSUER_PREFIXES.find((one) => issuer.startsWith(one));
  const project = prefix === undefined ? undefined : issuer.slice(prefix.length);
  return project === undefined || project === '' || project.includes('/') ? undefined : project;
}
