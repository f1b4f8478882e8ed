import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../sample/grpc/self-signed-certificate.js';

/** A fresh service account: an RSA key, its certificate, and the key file the Cloud console would download. */
export interface TestAccount {
  email: string;
  keyId: string;
  privateKey: KeyObject;
  certificate: string;
  /** The key file's parsed contents. */
  keyFile: Record<string, string>;
}

/** Makes a service account with a real RSA-2048 key and a self-signed X.509 certificate for it. */
export function makeAccount(email = 'caller@test-project.iam.gserviceaccount.com', extra: Record<string, string> = {}): TestAccount {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = `key-${Math.random().toString(16).slice(2)}`;
  const keyFile = {
    type: 'service_account',
    project_id: 'test-project',
    private_key_id: keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    client_email: email,
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...extra,
  };
  return { email, keyId, privateKey, certificate: selfSignedCertificate(privateKey, email), keyFile };
}

/** A temporary directory, removed by `remove()`. */
export function tempDir(): { path: string; write(name: string, text: string): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'endpoints-client-'));
  return {
    path,
    write: (name, text) => {
      const file = join(path, name);
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** The decoded header and payload of a compact JWS. */
export function decodeJwt(token: string): { header: Record<string, any>; payload: Record<string, any> } {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString('utf8')));
  return { header, payload };
}

/** An OpenAPI 2 spec of a callee named `service` whose one definition, `service_account`, is `account` (keys at `jwksUri`). */
export function serviceAccountSpec(service: string, account: TestAccount, jwksUri: string): Record<string, unknown> {
  return {
    swagger: '2.0',
    info: { title: service, version: '1.0.0' },
    host: service,
    paths: {},
    securityDefinitions: {
      service_account: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': account.email,
        'x-google-jwks_uri': jwksUri,
      },
    },
  };
}
