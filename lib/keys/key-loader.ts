import { Logger } from '@nestjs/common';
import { JwksClient } from 'jwks-rsa';
import { fetchKeyDocument } from './fetch-key-document.js';
import { jwkToKeyRecord } from './jwk-to-key-record.js';
import type { KeyRecord } from './key-record.interface.js';

/** Fetches and parses one definition's key set; throws when the set cannot be had. */
export type KeyLoader = () => Promise<KeyRecord[]>;

/**
 * A loader for a remote JWKS: `jwks-rsa`'s client over a fetcher that bounds time and size (its own request has only
 * an idle timeout, and its cache hands out PEM strings), each usable key parsed once into a `KeyObject`, and each
 * skipped key logged once (kid and reason, never key material).
 */
export function remoteJwksLoader(name: string, uri: string, fetchTimeoutMs: number, maxBodyBytes: number): KeyLoader {
  const logger = new Logger('EndpointsAuthKeys');
  const reported = new Set<string>();
  const client = new JwksClient({
    jwksUri: uri,
    cache: false,
    rateLimit: false,
    fetcher: (url: string) => fetchKeyDocument(url, fetchTimeoutMs, maxBodyBytes) as Promise<{ keys: never[] }>,
  });
  return async () => {
    const jwks: unknown = await client.getKeys();
    if (!Array.isArray(jwks) || jwks.length === 0) throw new Error('the document is not a JWKS with keys');
    const records: KeyRecord[] = [];
    for (const jwk of jwks) {
      const result = jwkToKeyRecord(jwk);
      if ('record' in result) {
        records.push(result.record);
        continue;
      }
      const kid = (jwk as { kid?: unknown } | null)?.kid;
      const line = `key ${typeof kid === 'string' ? `"${kid.slice(0, 64)}"` : 'without kid'} of "${name}" skipped: ${result.skipped}`;
      if (reported.has(line)) continue;
      if (reported.size >= 1000) reported.clear(); // rotating kids must not grow this without bound
      reported.add(line);
      logger.warn(line);
    }
    return records;
  };
}

/** A URL fit for a log line: credentials and the query (which may hold an API key) left out. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}
