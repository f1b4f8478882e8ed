/** The longest lifetime Google allows a self-signed service-account JWT (and the Endpoints samples' script). */
export const MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS = 3600;

/** The lifetime to sign with: 3600 when none is given; throws unless a whole number from 1 to 3600. */
export function checkedLifetime(lifetimeSeconds: number | undefined): number {
  const lifetime = lifetimeSeconds ?? MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS) {
    throw new Error(`lifetimeSeconds must be a whole number from 1 to ${MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS}, got ${lifetime}`);
  }
  return lifetime;
}
