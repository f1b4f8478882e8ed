import { canonicalIssuer } from '../token/issuer.util.js';
import { SpecError } from './spec-error.js';

/**
 * Which definition owns each issuer while a spec is read: a second definition of one issuer (both spellings of
 * Google's ID-token issuer are one) would claim the same tokens, so it is a start-up error naming both.
 */
export class IssuerOwners {
  private readonly owners = new Map<string, string>();

  /** `kind` names the definitions in the error: "security definitions" (OpenAPI) or "providers" (service config). */
  constructor(
    private readonly source: string,
    private readonly kind: string,
  ) {}

  /** Records `name` as the owner of `issuer`; throws when another definition already owns it. */
  claim(issuer: string, name: string): void {
    const key = canonicalIssuer(issuer);
    const other = this.owners.get(key);
    if (other) throw new SpecError(this.source, `${this.kind} "${other}" and "${name}" have the same issuer "${issuer}"`);
    this.owners.set(key, name);
  }
}
