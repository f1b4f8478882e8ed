import { ENDPOINTS_AUTH_KEY_SETS } from '../keys/create-key-set.js';
import { definitionClaims } from '../minting/definition-claims.js';
import { type JwtSigner, signJwt } from '../minting/sign-jwt.js';
import { SigningKey } from '../minting/signing-key.js';
import { placeToken } from '../minting/token-placement.js';
import { type SeenDefinition, testKeySets } from './test-key-sets.js';
import { type TestTokenFailure, breakSignature, failureClaims } from './test-token-failure.js';

/** A testing module builder (`Test.createTestingModule(...)`), as far as the kit uses it. */
export interface OverridableModuleBuilder<T> {
  overrideProvider(token: string): { useValue(value: unknown): T };
}

/** How long a minted token lives: an hour, as Google's and Firebase's tokens do. */
const LIFETIME_SECONDS = 3600;

/**
 * Tests an app through the real guard with tokens it mints: `override()` swaps only where the app's keys come from
 * (in-process keys, no network, no port), then `token()` / `header()` make tokens any definition of the app accepts,
 * or one it refuses for a chosen reason.
 * @publicApi
 */
export class EndpointsAuthTesting {
  private readonly signingKey = SigningKey.generate();
  private readonly seen = new Map<string, SeenDefinition>();

  /** Makes `builder`'s app verify with the kit's keys; returns the builder, to chain `.compile()`. */
  override<T>(builder: OverridableModuleBuilder<T>): T {
    return builder.overrideProvider(ENDPOINTS_AUTH_KEY_SETS).useValue(testKeySets(this.signingKey, this.seen));
  }

  /**
   * A token the definition `definition` accepts: its issuer and audience, `sub` "test-user", issued now for an hour
   * (shaped as Firebase's for a Firebase definition: `auth_time`, and `firebase.tenant` when its profile lists tenants);
   * `claims` override or add any claim. With `failure`, a token the guard refuses for that reason.
   */
  token(definition: string, claims: Readonly<Record<string, unknown>> = {}, failure?: TestTokenFailure): string {
    const { provider, clockSkewSeconds, tenant } = this.definition(definition);
    const now = Math.floor(Date.now() / 1000);
    const failing = failure === undefined ? {} : failureClaims(failure, provider, now, clockSkewSeconds);
    // A definition whose Firebase profile lists tenants accepts only their users: the token names the first.
    const defaults = tenant === undefined ? claims : { firebase: { tenant }, ...claims };
    const payload = { ...definitionClaims(provider, defaults, now, LIFETIME_SECONDS), ...failing };
    const signer: JwtSigner =
      provider.keys.kind === 'symmetric' ? { key: provider.keys.record.key } : { key: this.signingKey.privateKey, kid: this.signingKey.kid };
    const token = signJwt(payload, signer);
    return failure === 'badSignature' ? breakSignature(token) : token;
  }

  /**
   * The header that carries `token(definition, claims, failure)` where the definition reads it first (by default
   * `{ authorization: 'Bearer …' }`; `{ cookie: '<name>=…' }` for a cookie location): for supertest's `.set()`,
   * `fetch` or gRPC metadata.
   */
  header(definition: string, claims?: Readonly<Record<string, unknown>>, failure?: TestTokenFailure): Record<string, string> {
    const { provider } = this.definition(definition);
    const placement = placeToken(provider, this.token(definition, claims, failure));
    if ('query' in placement) {
      throw new Error(
        `nestjs-endpoints-auth/testing: "${definition}" reads its token from the query parameter "${placement.query}" first; ` +
          'put auth.token() there',
      );
    }
    if ('cookie' in placement) return { cookie: `${placement.cookie}=${placement.value}` };
    return { [placement.header]: placement.value };
  }

  /** The definitions of the apps compiled with this kit, by name. */
  definitions(): string[] {
    return [...this.seen.keys()];
  }

  private definition(name: string): SeenDefinition {
    const seen = this.seen.get(name);
    if (seen?.conflict) {
      throw new Error(
        `nestjs-endpoints-auth/testing: two apps compiled with this kit define "${name}" differently (issuer, audiences, key or clock skew); use one kit per app`,
      );
    }
    if (seen) return seen;
    if (this.seen.size === 0) {
      throw new Error(
        'nestjs-endpoints-auth/testing: no app uses this kit yet: pass the testing module builder through ' +
          'auth.override(Test.createTestingModule(...)) and compile it before minting tokens',
      );
    }
    throw new Error(`nestjs-endpoints-auth/testing: no definition "${name}"; the app defines ${this.definitions().map((n) => `"${n}"`).join(', ')}`);
  }
}
