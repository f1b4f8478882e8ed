import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { readRequirement, type RequirementContext } from './read-requirement.js';
import { readXSecurity } from './read-x-security.js';
import { SpecError } from './spec-error.js';

/** Where a level sits in the document: the document itself, or one operation. */
export interface SecurityLevel {
  /** The document or the operation object. */
  members: Record<string, unknown>;
  /** `paths["/a"].get` for an operation; absent for the document. */
  where?: string;
  /** Whether the document is OpenAPI 3 (`components.securitySchemes`), where `x-security` is refused. */
  openApi3: boolean;
}

/**
 * What one level requires, from its `security` and its `x-security` merged as the API Compiler merges them
 * (`SecurityRequirementModel.mergeSecurityRequirementModel`, rule R14): the definitions `security` names, then those
 * only `x-security` names, each with the audiences `x-security` gives it; `undefined` when the level has neither.
 * The API key comes from `security` alone (Service Management's usage rule never reads `x-security`), so an operation
 * with only `x-security` needs a key when `inherited` (the document's requirement) does.
 */
export function readSecurityLevel(
  level: SecurityLevel,
  context: RequirementContext,
  inherited?: SecurityRequirement,
): SecurityRequirement | undefined {
  const { members, where } = level;
  const security = members['security'];
  const raw = members['x-security'];
  const base = security === undefined ? undefined : readRequirement(security, where ?? 'security', context);
  if (raw === undefined) return base;
  const at = where === undefined ? 'x-security' : `${where}.x-security`;
  if (level.openApi3) {
    // Google documents x-security for OpenAPI 2 only; read here, it might mean what Endpoints' OpenAPI 3 converter ignores.
    throw new SpecError(
      context.source,
      `${at}: x-security (per-requirement audiences) is an OpenAPI 2 extension that Endpoints does not document for OpenAPI 3; write the audiences on the definition (x-google-auth.audiences) or use an OpenAPI 2 document`,
    );
  }
  const providers = [...(base?.providers ?? [])];
  const audiences = new Map<string, readonly string[]>();
  for (const [name, own] of readXSecurity(raw, at, context)) {
    if (!providers.includes(name)) providers.push(name);
    // An empty list keeps the definition's audiences, as ESPv2 replaces them only with a non-empty one.
    if (own.length > 0) audiences.set(name, own);
  }
  const requirement: SecurityRequirement = { providers, optional: false };
  if (audiences.size > 0) requirement.audiences = audiences;
  const keys = security === undefined ? inherited : base;
  if (keys?.apiKey) {
    requirement.apiKey = true;
    if (keys.apiKeyLocations) requirement.apiKeyLocations = keys.apiKeyLocations;
  }
  return requirement;
}
