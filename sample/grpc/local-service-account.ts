import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KeyDocumentServer } from '../local-issuer/key-document-server.js';
import { LocalSigner } from '../local-issuer/local-signer.js';
import { selfSignedCertificate } from './self-signed-certificate.js';

/** The issuer (and subject) of the service config's `local_service_account` provider. */
export const LOCAL_SERVICE_ACCOUNT = 'local-client@bookstore.invalid';

/**
 * A service account for local development, shaped like a Google one: an RSA key made at start-up, its X.509
 * certificate map (`{ kid: PEM }`) served on 127.0.0.1 as Google serves an account's, and self-signed JWTs with
 * `iss` = `sub` = the account — so the gRPC sample runs with no Google project and no network.
 */
export class LocalServiceAccount extends LocalSigner {
  /** Where the certificate map is served. */
  get certificatesUri(): string {
    return this.keysUri;
  }

  /** Makes a key and a certificate for it and serves the map on 127.0.0.1:`port` (0 picks a free port). */
  static async start(port = 0): Promise<LocalServiceAccount> {
    // Generated as DER and imported: on Node 20, exporting a key its generation job still shares can deadlock in GC.
    const der = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'der' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    const privateKey = createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' });
    // Google's kids are 40 hex digits (the certificate's SHA-1); any string works.
    const kid = randomBytes(20).toString('hex');
    const certificates = { [kid]: selfSignedCertificate(privateKey, LOCAL_SERVICE_ACCOUNT) };
    const server = await KeyDocumentServer.start(`/robot/v1/metadata/x509/${LOCAL_SERVICE_ACCOUNT}`, certificates, port);
    const caller = { iss: LOCAL_SERVICE_ACCOUNT, sub: LOCAL_SERVICE_ACCOUNT, email: LOCAL_SERVICE_ACCOUNT };
    return new LocalServiceAccount(server, privateKey, kid, caller);
  }

  /** Reads the service configuration and points its `local_service_account` provider, if any, at this account's keys. */
  configWithLocalKeys(configPath: string): Record<string, unknown> {
    const config = parse(readFileSync(configPath, 'utf8')) as { authentication?: { providers?: Record<string, unknown>[] } };
    const local = config.authentication?.providers?.find((provider) => provider['id'] === 'local_service_account');
    if (local) local['jwks_uri'] = this.certificatesUri;
    return config;
  }
}

