import { type ServiceAccountKey, readServiceAccountKey } from './service-account-key.js';

/** A key as given, or read from a key-file path or the parsed key file. */
export function asServiceAccountKey(key: ServiceAccountKey | string | object): ServiceAccountKey {
  const candidate = key as Partial<ServiceAccountKey>;
  return typeof key === 'object' && typeof candidate.clientEmail === 'string' && candidate.privateKey !== undefined
    ? (key as ServiceAccountKey)
    : readServiceAccountKey(key);
}
