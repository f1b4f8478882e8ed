import { createHash } from 'node:crypto';
import type { KeyRecord } from './key-record.interface.js';

/**
 * A string two records share exactly when they hold the same kid, key and algorithms: the kid, the algorithms and a
 * SHA-256 of the key's SPKI DER (the raw bytes of a secret). Computed once per fetched key, it lets a refresh match
 * new keys with old ones through a map, where comparing every pair with `KeyObject.equals` is quadratic.
 */
export function keyIdentity(record: KeyRecord): string {
  const material = record.key.type === 'secret' ? record.key.export() : record.key.export({ type: 'spki', format: 'der' });
  const thumbprint = createHash('sha256').update(material).digest('base64url');
  // JSON keeps the parts apart whatever characters a kid holds.
  return JSON.stringify([record.kid ?? null, [...record.algorithms], thumbprint]);
}
