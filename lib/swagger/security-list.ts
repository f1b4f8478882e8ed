import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/** An OpenAPI `security` list: alternatives (OR), each naming the schemes it needs together (AND). */
export type SecurityList = Record<string, string[]>[];

/**
 * A requirement as an OpenAPI `security` list: one alternative per definition (with `@Secured`'s scopes), each with the apiKey definitions
 * `apiKeyNames` (ESP asks for a key besides the token), `{}` last when the token is optional, `[]` when nothing is
 * needed.
 */
export function securityListOf(requirement: SecurityRequirement | undefined, apiKeyNames: readonly string[] = []): SecurityList {
  if (!requirement) return [];
  const keys = requirement.apiKey ? Object.fromEntries(apiKeyNames.map((name) => [name, [] as string[]])) : {};
  // A `@Secured`'s scopes belong to each of its alternatives, as OpenAPI lists an oauth2 scheme's scopes.
  const scopes = requirement.authorization?.scopes ?? [];
  const list: SecurityList = requirement.providers.map((name) => ({ [name]: [...scopes], ...keys }));
  if (list.length === 0 && Object.keys(keys).length > 0) list.push(keys);
  if (requirement.optional && list.length > 0) list.push({});
  return list;
}

/** An OpenAPI 2 `x-security` list: alternatives, each a JWT definition with the audiences that replace its own. */
export type XSecurityList = Record<string, { audiences: string[] }>[];

/**
 * The audiences a requirement puts in place of its definitions' own, as the `x-security` list that gives them back
 * when the document is read (R14); `undefined` when every definition keeps its own.
 */
export function xSecurityListOf(requirement: SecurityRequirement | undefined): XSecurityList | undefined {
  const list = (requirement?.providers ?? []).flatMap((name) => {
    const audiences = requirement?.audiences?.get(name);
    return audiences && audiences.length > 0 ? [{ [name]: { audiences: [...audiences] } }] : [];
  });
  return list.length > 0 ? list : undefined;
}
