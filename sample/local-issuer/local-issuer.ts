import { type KeyObject, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OnApplicationShutdown } from '@nestjs/common';
import { parse } from 'yaml';
import { KeyDocumentServer } from './key-document-server.js';
import { signRs256 } from './sign-rs256.js';

/** The issuer named by the sample spec's `local` definition. */
export const LOCAL_ISSUER = 'https://local-issuer.invalid';

/**
 * A token issuer for local development: an RSA key made at start-up, its JWKS served on 127.0.0.1, and RS256 tokens
 * minted on request — so the sample runs with no Google project and no network.
 */
export class LocalIssuer implements OnApplicationShutdown {
  private constructor(
    private readonly server: KeyDocumentServer,
    private readonly privateKey: KeyObject,
    private readonly kid: string,
  ) {}

  /** Where the JWKS is served. */
  get jwksUri(): string {
    return this.server.url;
  }

  /** Makes a key and serves its JWKS on 127.0.0.1:`port` (0 picks a free port). */
  static async start(port = 0): Promise<LocalIssuer> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
    return new LocalIssuer(await KeyDocumentServer.start('/jwks.json', jwks, port), privateKey, kid);
  }

  /** Reads the spec and points its `local` definition, if any, at this issuer's keys. */
  specWithLocalKeys(specPath: string): Record<string, unknown> {
    const spec = parse(readFileSync(specPath, 'utf8')) as { securityDefinitions?: Record<string, Record<string, unknown>> };
    const local = spec.securityDefinitions?.['local'];
    if (local) local['x-google-jwks_uri'] = this.jwksUri;
    return spec;
  }

  /** An RS256 token for `audience`, valid for `lifetimeSeconds`. */
  mint(audience: string, claims: Record<string, unknown> = {}, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    return signRs256(this.privateKey, this.kid, {
      iss: LOCAL_ISSUER,
      sub: 'local-user',
      aud: audience,
      iat: now,
      exp: now + lifetimeSeconds,
      ...claims,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }
}
