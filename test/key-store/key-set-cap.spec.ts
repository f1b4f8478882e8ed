/**
 * A key set padded out to the body cap (issue 13, point 7: 7,000 P-256 keys sharing a kid froze the event loop 37 s
 * at every refresh). Only the first `MAX_KEYS_PER_SET` members are read, the rest are dropped unread and counted in one
 * log line; a refresh matches new keys with old ones through a map, never `KeyObject.equals` on every pair.
 */
import { KeyObject, createPublicKey } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthCounters } from '../../lib/index.js';
import { remoteLoader } from '../../lib/keys/key-loader.js';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { KeyStore } from '../../lib/keys/key-store.js';
import { MAX_KEYS_PER_SET, parseKeyDocument } from '../../lib/keys/parse-key-document.js';
import { makeCertificates } from '../keys/certificates.js';
import { check, tokenFor } from '../keys/token-check.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, makeKey } from '../support/keys.js';

/** `count` distinct P-256 keys, all with the kid `shared`. */
const sharedKidKeys = (count: number): TestKey[] => Array.from({ length: count }, () => makeKey('ES256', 'shared'));
const jwkOf = (key: TestKey) => ({ ...key.jwk, use: undefined });
/** The public x coordinate of a record's key, to tell which member of the document it came from. */
const xOf = (record: KeyRecord) => record.key.export({ format: 'jwk' }).x;

/** A JWK stand-in that counts every read of its members, to show a member past the cap is never looked at. */
function watchedMember(reads: { count: number }): object {
  return new Proxy(
    {},
    {
      get: (_target, property) => {
        reads.count++;
        return property === 'kty' ? 'EC' : undefined;
      },
      has: () => (reads.count++, false),
      ownKeys: () => (reads.count++, []),
    },
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseKeyDocument: the cap on a set', () => {
  const keys = sharedKidKeys(MAX_KEYS_PER_SET + 2);

  it('reads the first 100 members of a JWKS in document order and drops the rest unread, counting them', () => {
    const reads = { count: 0 };
    const padding = Array.from({ length: 7000 - keys.length }, () => watchedMember(reads));
    const { records, skipped, dropped } = parseKeyDocument({ keys: [...keys.map(jwkOf), ...padding] });
    expect(reads.count).toBe(0);
    expect({ records: records.length, skipped, dropped }).toEqual({ records: MAX_KEYS_PER_SET, skipped: [], dropped: 6900 });
    expect(records.map(xOf)).toEqual(keys.slice(0, MAX_KEYS_PER_SET).map((key) => key.jwk['x']));
    // A token whose key is past the cap finds no key that verifies it; one of a kept key does.
    expect(check(tokenFor(keys[0].privateKey, 'ES256', 'shared'), records).verified).toBe(true);
    expect(check(tokenFor(keys[MAX_KEYS_PER_SET].privateKey, 'ES256', 'shared'), records).verified).toBe(false);
  });

  it('counts a skipped member within the cap as read: the cap bounds the members parsed, not the keys kept', () => {
    const members = [{ kty: 'oct', kid: 'oct', k: 'c2VjcmV0' }, ...keys.map(jwkOf)];
    const { records, skipped, dropped } = parseKeyDocument({ keys: members });
    expect({ records: records.length, skipped: skipped.length, dropped }).toEqual({ records: 99, skipped: 1, dropped: 3 });
  });

  it('drops nothing from a set at the cap', () => {
    expect(parseKeyDocument({ keys: keys.slice(0, MAX_KEYS_PER_SET).map(jwkOf) }).dropped).toBe(0);
  });

  it('reads the first 100 certificates of an X.509 map and drops the rest', () => {
    const { valid } = makeCertificates();
    const map = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`kid-${i}`, valid]));
    const { records, dropped } = parseKeyDocument(map);
    expect({ records: records.length, dropped }).toEqual({ records: MAX_KEYS_PER_SET, dropped: 50 });
    expect(records.at(-1)?.kid).toBe('kid-99');
  });
});

describe('remoteLoader: a set over the cap', () => {
  const server = new KeyServer();
  const keys = sharedKidKeys(150);

  beforeAll(async () => {
    await server.start();
    server.jwks('/big', keys.map(jwkOf));
  });
  afterAll(() => server.stop());

  it('logs one line naming the definition, the URL and the count dropped, never key material, and not again while unchanged', async () => {
    const warnings: string[] = [];
    vi.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const load = remoteLoader('big', `${server.url}/big?key=secret`, { fetchTimeoutMs: 5000, maxBodyBytes: 1024 * 1024 });
    expect((await load()).length).toBe(MAX_KEYS_PER_SET);
    expect((await load()).length).toBe(MAX_KEYS_PER_SET);
    expect(server.count('/big')).toBe(2);
    expect(warnings).toEqual([`the key set of "big" at ${server.url}/big?… holds 150 keys: the first 100 are read, 50 dropped`]);
  });
});

describe('KeyStore: a refresh of a full set', () => {
  const keys = sharedKidKeys(MAX_KEYS_PER_SET);
  const rotated = makeKey('ES256', 'shared');
  let served = keys;

  it('matches each new key with its old record through one identity per key, never comparing pairs', async () => {
    const store = new KeyStore(
      'full',
      async () => parseKeyDocument({ keys: served.map(jwkOf) }).records,
      { ttlMs: 60_000, staleGraceMs: 60_000, unknownKidCooldownMs: 0 },
      new EndpointsAuthCounters(),
    );
    const removed: KeyRecord[][] = [];
    store.onKeysRemoved((set) => removed.push([...set]));
    try {
      const equals = vi.spyOn(KeyObject.prototype, 'equals');
      // `export` lives on the public-key subclass's prototype; the identity is a hash of the exported SPKI.
      const exports = vi.spyOn(Object.getPrototypeOf(createPublicKey(keys[0].privateKey)) as KeyObject, 'export');
      const first = await store.getKeys();
      expect(exports).toHaveBeenCalledTimes(MAX_KEYS_PER_SET);
      // A refresh (an unknown kid past a zero cooldown) brings the same keys: the same records, one identity each.
      const second = await store.getKeysForUnknownKid();
      expect(exports).toHaveBeenCalledTimes(2 * MAX_KEYS_PER_SET);
      expect(second.every((record, i) => record === first[i])).toBe(true);
      expect(removed).toEqual([]);
      // One key rotated out: its record alone is reported removed; the others keep theirs.
      served = [...keys.slice(1), rotated];
      const third = await store.getKeysForUnknownKid();
      expect(exports).toHaveBeenCalledTimes(3 * MAX_KEYS_PER_SET);
      expect(third.slice(0, -1).every((record, i) => record === first[i + 1])).toBe(true);
      expect(removed).toEqual([[first[0]]]);
      expect(equals).not.toHaveBeenCalled();
    } finally {
      store.close();
    }
  });

  it('gives a key republished under another kid a new record', async () => {
    const [key] = keys;
    let kid = 'first';
    const store = new KeyStore(
      'kids',
      async () => parseKeyDocument({ keys: [{ ...jwkOf(key), kid }] }).records,
      { ttlMs: 60_000, staleGraceMs: 60_000, unknownKidCooldownMs: 0 },
      new EndpointsAuthCounters(),
    );
    try {
      const [before] = await store.getKeys();
      kid = 'second';
      const [after] = await store.getKeysForUnknownKid();
      expect({ same: after === before, kid: after.kid }).toEqual({ same: false, kid: 'second' });
    } finally {
      store.close();
    }
  });
});
