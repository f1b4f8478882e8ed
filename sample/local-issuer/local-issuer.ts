import { type KeyObject, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OnApplicationShutdown } from '@nestjs/common';
import { parse } from 'yaml';

/** The issuer named by the sample spec's `local` definition. */
export const LOCAL_ISSUER = 'https://local-issuer.invalid';

/**
 * A token issuer for local development: an RSA key made at start-up, its JWKS served on 127.0.0.1, and RS256 tokens
 * minted on request — so the sample runs with no Google project and no network.
 */
export class LocalIssuer implements OnApplicationShutdown {
  private constructor(
    private readonly server: Server,
    private readonly privateKey: KeyObject,
    private readonly kid: string,
    /** Where the JWKS is served. */
    readonly jwksUri: string,
  ) {}

  /** Makes a key and serves its JWKS on 127.0.0.1:`port` (0 picks a free port). */
  static async start(port = 0): Promise<LocalIssuer> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    const server = createServer((request, response) => {
      if (request.url === '/jwks.json') response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    return new LocalIssuer(server, privateKey, kid, `http://127.0.0.1:${address.port}/jwks.json`);
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
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const payload = { iss: LOCAL_ISSUER, sub: 'local-user', aud: audience, iat: now, exp: now + lifetimeSeconds, ...claims };
    const input = `${encode(header)}.${encode(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }

  async onApplicationShutdown(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
