import { type KeyObject, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OnApplicationShutdown } from '@nestjs/common';
import { parse } from 'yaml';
import { KeyDocumentServer } from '../local-issuer/key-document-server.js';
import { signRs256 } from '../local-issuer/sign-rs256.js';
import { selfSignedCertificate } from './self-signed-certificate.js';

/** The issuer (and subject) of the service config's `local_service_account` provider. */
export const LOCAL_SERVICE_ACCOUNT = 'local-client@bookstore.invalid';

/**
 * A service account for local development, shaped like a Google one: an RSA key made at start-up, its X.509
 * certificate map (`{ kid: PEM }`) served on 127.0.0.1 as Google serves an account's, and self-signed JWTs with
 * `iss` = `sub` = the account — so the gRPC sample runs with no Google project and no network.
 */
export class LocalServiceAccount implements OnApplicationShutdown {
  private constructor(
    private readonly server: KeyDocumentServer,
    private readonly privateKey: KeyObject,
    private readonly kid: string,
  ) {}

  /** Where the certificate map is served. */
  get certificatesUri(): string {
    return this.server.url;
  }

  /** Makes a key and a certificate for it and serves the map on 127.0.0.1:`port` (0 picks a free port). */
  static async start(port = 0): Promise<LocalServiceAccount> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Google's kids are 40 hex digits (the certificate's SHA-1); any string works.
    const kid = randomBytes(20).toString('hex');
    const certificates = { [kid]: selfSignedCertificate(privateKey, LOCAL_SERVICE_ACCOUNT) };
    const server = await KeyDocumentServer.start(`/robot/v1/metadata/x509/${LOCAL_SERVICE_ACCOUNT}`, certificates, port);
    return new LocalServiceAccount(server, privateKey, kid);
  }

  /** Reads the service configuration and points its `local_service_account` provider, if any, at this account's keys. */
  configWithLocalKeys(configPath: string): Record<string, unknown> {
    const config = parse(readFileSync(configPath, 'utf8')) as { authentication?: { providers?: Record<string, unknown>[] } };
    const local = config.authentication?.providers?.find((provider) => provider['id'] === 'local_service_account');
    if (local) local['jwks_uri'] = this.certificatesUri;
    return config;
  }

  /** An RS256 token for `audience`, valid for `lifetimeSeconds` (a negative lifetime makes an expired one). */
  mint(audience: string, claims: Record<string, unknown> = {}, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    return signRs256(this.privateKey, this.kid, {
      iss: LOCAL_SERVICE_ACCOUNT,
      sub: LOCAL_SERVICE_ACCOUNT,
      email: LOCAL_SERVICE_ACCOUNT,
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
