import type { AuthError } from '../errors/auth-error.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/** The definition whose check produced each refusal, noted where that is known (never the token's own text). */
const judges = new WeakMap<AuthError, string>();

/** Notes that the definition `name` judged the caller's token when `error` was raised: it failed that definition's checks, or a token it verified was then refused. */
export function noteJudgedBy(error: AuthError, name: string): void {
  judges.set(error, name);
}

/**
 * The definition a refusal is counted under: the one that judged the token (its checks failed, or a token it
 * verified failed the route's scopes, claims or API key), else the route's only alternative, else `undefined` (no
 * token, or a token of an issuer no alternative names, on a route with several alternatives).
 */
export function refusalDefinition(error: AuthError, requirement: SecurityRequirement | undefined): string | undefined {
  const judge = judges.get(error);
  if (judge !== undefined) return judge;
  return requirement?.providers.length === 1 ? requirement.providers[0] : undefined;
}
