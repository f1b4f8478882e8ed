import { type KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Real self-signed certificates, made with the `openssl` CLI by test/fixtures/certificates/generate.mjs. */
export interface TestCertificates {
  /** RSA-2048, valid until 2125; `signer` signs tokens with its key. */
  valid: string;
  /** The same RSA-2048 key as `valid`, in a certificate that expired in 2020. */
  expired: string;
  /** RSA-2048 of another key. */
  other: string;
  rsa1024: string;
  ecP256: string;
  rsaPss: string;
  signer: KeyObject;
}

const read = (name: string) => readFileSync(new URL(`../fixtures/certificates/${name}`, import.meta.url), 'utf8');

/** The committed certificate fixtures (CI machines need not have the openssl CLI). */
export function makeCertificates(): TestCertificates {
  return {
    valid: read('valid.crt.pem'),
    expired: read('expired.crt.pem'),
    other: read('other.crt.pem'),
    rsa1024: read('rsa1024.crt.pem'),
    ecP256: read('ec.crt.pem'),
    rsaPss: read('pss.crt.pem'),
    signer: createPrivateKey(read('signer.key.pem')),
  };
}
