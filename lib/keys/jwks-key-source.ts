import { Logger } from '@nestjs/common';
import { JwksClient } from 'jwks-rsa';
import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { fetchKeyDocument } from './fetch-key-document.js';
import { jwkToKeyRecord } from './jwk-to-key-record.js';
import type { KeyRecord } from './key-record.interface.js';

/** After a failed fetch, requests wait this long before another fetch is tried (ESPv2 retries every second). */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * The keys of one security definition, fetched from its JWKS (with `jwks-rsa`'s client over a bounded fetcher) and
 * parsed once into `KeyObject`s: cached for the TTL, one fetch in flight at a time, and the previous keys kept while
 * a refresh fails (as ESPv2).
 */
export class JwksKeySource {
  private readonly logger = new Logger(JwksKeySource.name);
  private readonly client: JwksClient;
  private readonly reported = new Set<string>();
  private keys?: KeyRecord[];
  private expiresAt = 0;
  private retryAt = 0;
  private inflight?: Promise<KeyRecord[]>;

  constructor(
    private readonly provider: EndpointsProvider,
    private readonly ttlMs: number,
    fetchTimeoutMs: number,
  ) {
    // jwks-rsa's own cache keys by kid and hands out PEM strings, and its request has no overall deadline: the
    // client is used for the fetch only, through a fetcher that bounds time and size, and KeyObjects are cached here.
    this.client = new JwksClient({
      jwksUri: provider.jwksUri,
      cache: false,
      rateLimit: false,
      fetcher: (uri: string) => fetchKeyDocument(uri, fetchTimeoutMs) as Promise<{ keys: never[] }>,
    });
  }

  /** The current keys, fetching them when none are cached or the cache expired. */
  async getKeys(): Promise<readonly KeyRecord[]> {
    const now = Date.now();
    if (this.keys && now < this.expiresAt) return this.keys;
    if (now < this.retryAt) {
      if (this.keys) return this.keys;
      throw new AuthError('KEYS_UNAVAILABLE');
    }
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<KeyRecord[]> {
    try {
      const records = this.parse(await this.client.getKeys());
      // ESP keeps the previous keys when a refresh brings nothing it can use.
      if (records.length === 0 && this.keys?.length) throw new Error('the refreshed set holds no usable verification key');
      this.keys = records;
      this.expiresAt = Date.now() + this.ttlMs;
      this.retryAt = 0;
      return records;
    } catch (error) {
      this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
      const kept = this.keys ? '; the previous keys stay in use' : '';
      this.logger.warn(`keys of "${this.provider.name}" could not be fetched from ${redactUrl(this.provider.jwksUri)}: ${reason(error)}${kept}`);
      if (this.keys) return this.keys;
      throw new AuthError('KEYS_UNAVAILABLE');
    }
  }

  /**
   * A JWKS with at least one key is a successful fetch even when this library skips every key (too weak, private,
   * symmetric): tokens then get KEY_NOT_FOUND for the TTL instead of a refetch every second.
   */
  private parse(jwks: unknown): KeyRecord[] {
    if (!Array.isArray(jwks) || jwks.length === 0) throw new Error('the document is not a JWKS with keys');
    const records: KeyRecord[] = [];
    for (const jwk of jwks) {
      const result = jwkToKeyRecord(jwk);
      if ('record' in result) records.push(result.record);
      else this.reportSkipped(jwk, result.skipped);
    }
    if (records.length === 0) this.logger.warn(`the keys of "${this.provider.name}" hold no usable verification key`);
    return records;
  }

  private reportSkipped(jwk: unknown, why: string): void {
    const kid = (jwk as { kid?: unknown } | null)?.kid;
    const line = `key ${typeof kid === 'string' ? `"${kid.slice(0, 64)}"` : 'without kid'} of "${this.provider.name}" skipped: ${why}`;
    if (this.reported.has(line)) return;
    if (this.reported.size >= 1000) this.reported.clear(); // rotating kids must not grow this without bound
    this.reported.add(line);
    this.logger.warn(line);
  }
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

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String((error as { errorMsg?: unknown })?.errorMsg ?? error);
  return message.slice(0, 200);
}
