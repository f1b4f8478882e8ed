import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KeyDocumentServer } from './key-document-server.js';
import { LocalSigner } from './local-signer.js';

/** The issuer named by the sample spec's `local` definition. */
export const LOCAL_ISSUER = 'https://local-issuer.invalid';

/** A token issuer for local development whose key document is a JWKS (the spec's `local` definition). */
export class LocalIssuer extends LocalSigner {
  /** Where the JWKS is served. */
  get jwksUri(): string {
    return this.keysUri;
  }

  /** Makes a key and serves its JWKS on 127.0.0.1:`port` (0 picks a free port). */
  static async start(port = 0): Promise<LocalIssuer> {
    // Generated as DER and imported: on Node 20, exporting a key its generation job still shares can deadlock in GC.
    const der = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    const privateKey = createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    const kid = randomUUID();
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
    const server = await KeyDocumentServer.start('/jwks.json', jwks, port);
    return new LocalIssuer(server, privateKey, kid, { iss: LOCAL_ISSUER, sub: 'local-user' });
  }

  /** Reads the spec and points its `local` definition, if any, at this issuer's keys. */
  specWithLocalKeys(specPath: string): Record<string, unknown> {
    const spec = parse(readFileSync(specPath, 'utf8')) as { securityDefinitions?: Record<string, Record<string, unknown>> };
    const local = spec.securityDefinitions?.['local'];
    if (local) local['x-google-jwks_uri'] = this.jwksUri;
    return spec;
  }
}

