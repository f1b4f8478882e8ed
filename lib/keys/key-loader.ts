import { Logger } from '@nestjs/common';
import { JwksClient } from 'jwks-rsa';
import { insecureKeyUrlReason } from '../dev-keys/insecure-key-url.js';
import { fetchKeyDocument } from './fetch-key-document.js';
import type { KeyRecord } from './key-record.interface.js';
import { jwksUriFromDiscovery } from './key-source-location.js';
import { MAX_KEYS_PER_SET, parseKeyDocument } from './parse-key-document.js';

const logger = new Logger('EndpointsAuthKeys');

/** Fetches and parses one definition's key set; throws when the set cannot be had. */
export type KeyLoader = () => Promise<KeyRecord[]>;

/** The bounds of every fetch a loader makes. */
export interface FetchBounds {
  fetchTimeoutMs: number;
  maxBodyBytes: number;
}

/**
 * A loader for a URL that serves a JWKS or Google's X.509 certificate map, auto-detected as ESPv2 does. The fetch
 * goes through `jwks-rsa`'s client with a fetcher that bounds time and size (its own request has only an idle
 * timeout); the fetcher keeps the whole document, since the client hands back only a JWKS's `keys`. Each usable key
 * is parsed once into a `KeyObject`; each skipped key is logged once (kid and reason, never key material), and so is
 * a set over `MAX_KEYS_PER_SET` (the count dropped).
 */
export function remoteLoader(name: string, uri: string, bounds: FetchBounds): KeyLoader {
  const reported = new Set<string>();
  // The key store runs one load at a time, so one slot for the fetched document is enough.
  let document: unknown;
  const client = new JwksClient({
    jwksUri: uri,
    cache: false,
    rateLimit: false,
    fetcher: async (url: string) => {
      document = await fetchKeyDocument(url, bounds.fetchTimeoutMs, bounds.maxBodyBytes);
      return { keys: [] };
    },
  });
  return async () => {
    document = undefined;
    await client.getKeys();
    const { records, skipped, dropped } = parseKeyDocument(document);
    for (const { kid, reason } of skipped) report(reported, `key ${kid ? `"${kid.slice(0, 64)}"` : 'without kid'} of "${name}" skipped: ${reason}`);
    if (dropped > 0) {
      const total = MAX_KEYS_PER_SET + dropped;
      report(reported, `the key set of "${name}" at ${redactUrl(uri)} holds ${total} keys: the first ${MAX_KEYS_PER_SET} are read, ${dropped} dropped`);
    }
    return records;
  };
}

/** The bounds of a discovery loader: a fetch's, and the production rule for the key URL the document names. */
export interface DiscoveryBounds extends FetchBounds {
  /** Why the app counts as deployed, or `undefined` (see `productionSignal`). */
  production?: string;
  allowInsecureKeyUrls: boolean;
}

/**
 * A loader for a definition without `x-google-jwks_uri`: the OpenID discovery document names the key URL (ESPv2
 * reads it once at start-up); it is read on first use and again only while it has not succeeded. In production the
 * named URL meets the start-up rule for key URLs, which could not see it: plain http or a loopback host is refused
 * (a failed fetch, logged) unless `allowInsecureKeyUrls`.
 */
export function discoveryLoader(name: string, discoveryUrl: string, bounds: DiscoveryBounds): KeyLoader {
  let keys: KeyLoader | undefined;
  return async () => {
    if (!keys) {
      const document = await fetchKeyDocument(discoveryUrl, bounds.fetchTimeoutMs, bounds.maxBodyBytes);
      const uri = jwksUriFromDiscovery(document);
      const insecure = bounds.production && !bounds.allowInsecureKeyUrls ? insecureKeyUrlReason(uri) : undefined;
      if (insecure) {
        throw new Error(`${bounds.production} and the OpenID discovery document names keys on ${insecure} (${redactUrl(uri)}): refused (allowInsecureKeyUrls allows it)`);
      }
      logger.log(`"${name}": OpenID discovery names the keys at ${redactUrl(uri)}`);
      keys = remoteLoader(name, uri, bounds);
    }
    return keys();
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

function report(reported: Set<string>, line: string): void {
  if (reported.has(line)) return;
  if (reported.size >= 1000) reported.clear(); // rotating kids must not grow this without bound
  reported.add(line);
  logger.warn(line);
}
