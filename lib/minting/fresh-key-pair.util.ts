import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

/**
 * A new RSA-2048 key pair whose `KeyObject`s share nothing with Node's key-generation job. On Node 20 a garbage
 * collection that destroys a finished job while one of its keys is being exported deadlocks the process (the job's
 * destructor and the export take the same key mutex; seen as a test worker frozen in `ExportJWK`), so the job hands
 * back DER bytes and the keys are imported from them.
 */
export function freshRsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const key = createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' });
  return { privateKey: key, publicKey: createPublicKey(key) };
}
