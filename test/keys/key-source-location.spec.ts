import { describe, expect, it } from 'vitest';
import { discoveryUrl, jwksUriFromDiscovery, serviceAccountCertsUrl } from '../../lib/keys/key-source-location.js';

describe('discoveryUrl (ESPv2 ResolveJwksUriUsingOpenID)', () => {
  it.each([
    ['accounts.google.com', 'https://accounts.google.com/.well-known/openid-configuration'],
    ['https://issuer.example/', 'https://issuer.example/.well-known/openid-configuration'],
    ['https://issuer.example//', 'https://issuer.example//.well-known/openid-configuration'],
    ['http://x', 'http://x/.well-known/openid-configuration'],
    ['https://login.example/tenant-1', 'https://login.example/tenant-1/.well-known/openid-configuration'],
  ])('%s -> %s', (issuer, url) => {
    expect(discoveryUrl(issuer)).toBe(url);
  });
});

describe('serviceAccountCertsUrl', () => {
  const base = 'https://www.googleapis.com/robot/v1/metadata/x509/';

  it.each([
    'my-sa@my-project.iam.gserviceaccount.com',
    'service-123@gcp-sa-pubsub.iam.gserviceaccount.com',
    '123456789012-compute@developer.gserviceaccount.com',
    'my-project@appspot.gserviceaccount.com',
    'securetoken@system.gserviceaccount.com',
  ])('maps %s to its X.509 URL', (email) => {
    expect(serviceAccountCertsUrl(email)).toBe(base + email);
  });

  it("gives Firebase's own certificate URL for securetoken", () => {
    expect(serviceAccountCertsUrl('securetoken@system.gserviceaccount.com')).toBe(
      'https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com',
    );
  });

  it('accepts a domain-scoped project and refuses characters a path segment would need escaped', () => {
    expect(serviceAccountCertsUrl('sa@my-project.example.com.iam.gserviceaccount.com')).toBe(
      `${base}sa@my-project.example.com.iam.gserviceaccount.com`,
    );
    expect(serviceAccountCertsUrl('s%2Fa@my-project.iam.gserviceaccount.com')).toBeUndefined();
    expect(serviceAccountCertsUrl('s?a@my-project.iam.gserviceaccount.com')).toBeUndefined();
  });

  it.each([
    'user@gmail.com',
    'https://accounts.google.com',
    'accounts.google.com',
    'https://securetoken.google.com/my-project',
    'sa@gserviceaccount.com',
    'sa@other.gserviceaccount.com',
    '@my-project.iam.gserviceaccount.com',
    'sa@my-project.iam.gserviceaccount.com.evil.example',
    'a/b@my-project.iam.gserviceaccount.com',
    'sa@my-project.iam.gserviceaccount.com/',
    'https://sa@my-project.iam.gserviceaccount.com',
  ])('is undefined for %s', (issuer) => {
    expect(serviceAccountCertsUrl(issuer)).toBeUndefined();
  });
});

describe('jwksUriFromDiscovery', () => {
  it("returns the jwks_uri of Google's discovery document", () => {
    const document = { issuer: 'https://accounts.google.com', jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs' };
    expect(jwksUriFromDiscovery(document)).toBe('https://www.googleapis.com/oauth2/v3/certs');
  });

  it.each([
    ['null', null, 'not a JSON object'],
    ['an array', [{ jwks_uri: 'https://x/k' }], 'not a JSON object'],
    ['a string', 'https://x/k', 'not a JSON object'],
    ['a document without jwks_uri', { issuer: 'https://x' }, 'no string "jwks_uri"'],
    ['a number jwks_uri', { jwks_uri: 42 }, 'no string "jwks_uri"'],
    ['a relative jwks_uri', { jwks_uri: '/keys' }, 'not an http(s) URL'],
    ['an ftp jwks_uri', { jwks_uri: 'ftp://x/keys' }, 'not an http(s) URL'],
  ])('throws for %s', (_name, document, message) => {
    expect(() => jwksUriFromDiscovery(document)).toThrow(message);
  });

  it('does not echo a bad value into the error', () => {
    expect(() => jwksUriFromDiscovery({ jwks_uri: 'javascript:alert(1)' })).toThrow(/^(?!.*alert).*$/);
  });
});
