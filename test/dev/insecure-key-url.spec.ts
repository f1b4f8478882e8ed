import { describe, expect, it } from 'vitest';
import { insecureKeyUrlReason } from '../../lib/dev-keys/insecure-key-url.js';

/** Which key URLs the production rule calls development ones, after the URL parser normalises the host. */
describe('insecureKeyUrlReason', () => {
  it.each([
    ['http://keys.example.com/jwks', 'plain http'],
    ['http://127.0.0.1:8399/jwks.json', 'plain http'],
    ['https://localhost/jwks', 'a loopback host'],
    ['https://LocalHost./jwks', 'a loopback host'],
    ['https://dev.localhost/jwks', 'a loopback host'],
    ['https://127.0.0.1/jwks', 'a loopback host'],
    ['https://127.255.0.9/jwks', 'a loopback host'],
    ['https://127.1/jwks', 'a loopback host'],
    ['https://0x7f.1/jwks', 'a loopback host'],
    ['https://2130706433/jwks', 'a loopback host'],
    ['https://[::1]:8443/jwks', 'a loopback host'],
    ['https://[0:0:0:0:0:0:0:1]/jwks', 'a loopback host'],
    ['https://[::ffff:127.0.0.1]/jwks', 'a loopback host'],
    ['https://0.0.0.0/jwks', 'a loopback host'],
    ['https://[::]/jwks', 'a loopback host'],
  ])('%s: %s', (url, reason) => {
    expect(insecureKeyUrlReason(url)).toBe(reason);
  });

  it.each([
    'https://www.googleapis.com/oauth2/v3/certs',
    'https://keys.example.com:8443/jwks?x=1',
    'https://128.0.0.1/jwks',
    'https://10.0.0.1/jwks',
    'https://localhost.example.com/jwks',
    'https://[::2]/jwks',
    'https://[::ffff:10.0.0.1]/jwks',
  ])('%s: production-fit', (url) => {
    expect(insecureKeyUrlReason(url)).toBeUndefined();
  });
});
