import type { ProviderKeys } from '../interfaces/provider.interface.js';

/**
 * Why a key URL belongs to development rather than production: `'plain http'` (anyone on the path can swap the keys)
 * or `'a loopback host'` (the keys come from whatever runs on the same machine); `undefined` for an https URL on any
 * other host. Hosts are compared after the URL parser has normalised them (`127.1` is `127.0.0.1`, `[::ffff:7f00:1]`
 * is an IPv4 loopback address).
 */
export function insecureKeyUrlReason(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // a spec's URLs were checked when it was read
  }
  if (parsed.protocol === 'http:') return 'plain http';
  return isLoopbackHost(parsed.hostname) ? 'a loopback host' : undefined;
}

/** The URL a definition's keys are fetched from first (its key URL, or its discovery document); none for a key in the spec. */
export function fetchedKeyUrl(keys: ProviderKeys): string | undefined {
  if (keys.kind === 'remote') return keys.uri;
  if (keys.kind === 'discovery') return keys.url;
  return undefined;
}

/**
 * `localhost` and its subdomains (RFC 6761), 127.0.0.0/8, `::1`, the unspecified addresses (`0.0.0.0`, `::`), which
 * a client connects to on its own machine, and the IPv4-mapped form of each IPv4 one.
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '[::]') return true;
  // `new URL` writes an IPv4-mapped address in hex: [::ffff:127.0.0.1] becomes [::ffff:7f00:1], [::ffff:0.0.0.0] [::ffff:0:0].
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(host);
  const ipv4 = mapped ? mapped.slice(1).flatMap((group) => [parseInt(group, 16) >> 8, parseInt(group, 16) & 0xff]).join('.') : host;
  return /^127\.\d+\.\d+\.\d+$/.test(ipv4) || ipv4 === '0.0.0.0';
}
