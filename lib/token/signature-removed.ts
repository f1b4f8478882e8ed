/**
 * What Cloud Run's IAM invoker check puts in place of a token's signature once it has verified it, before the request
 * reaches the container: the token can no longer prove anything to the app.
 */
export const SIGNATURE_REMOVED_BY_GOOGLE = 'SIGNATURE_REMOVED_BY_GOOGLE';

/** The refusal's message: its own reason, where a base64 or signature error would mislead. */
export const SIGNATURE_REMOVED_MESSAGE = 'Jwt signature was removed by Google (Cloud Run checked this token with IAM)';
