/**
 * Fixed signing keys for the fuzzer, so the tokens it starts from, and therefore every mutated byte of every case, are
 * the same on every run: a seed replays the exact request, and `npm test` sees the same statuses each time. RS256 and
 * Ed25519 signatures are deterministic already; ES256 is signed here with a nonce derived from the key and the message
 * (node:crypto draws a random one), on P-256 arithmetic written with BigInt. Test keys only: they protect nothing.
 */
import { createECDH, createHash, createHmac, createPrivateKey, createPublicKey, sign } from 'node:crypto';

/** A fixed key: its kid and algorithm, its public JWK as a key server publishes it, and a signer. */
export interface FixedKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  jwk: Record<string, unknown>;
  sign(data: Buffer): Buffer;
}

const RSA_PKCS8 =
  '-----BEGIN PRIVATE KEY-----\n' +
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCpa2A2TmxDO/l/\n' +
  'v3PjaFNLsBrlRPwqOlSqjQNSKMOq6zrE3C3vdSWCBKkZks/0/azFaNQEZ4BIw+bw\n' +
  'hbrTLKP64hoSeLVjU8ejDTEJYBY+CGaSDOggirUYxQHeDVaS0L0EEF1jKt/mHsfm\n' +
  'v1YiYQXyK0BZsvDmyIZR3u2Rc/vKgBJB7oM5PAoKZQYORI+G8dTkVqOZ/O7lxA5Y\n' +
  'W7fGmlMbfNd+T6NdVwQFXzJKqok8PmCDY8tJfJNeQVX6+gXLtn9rWGtHI9/nCsvs\n' +
  '4tiKyzuVgrbSryU2riIXsEZY4q8gqO6wp0sXXm7g/hGDiX47O4+nOjTdq2g5VJ9p\n' +
  'Het28lOjAgMBAAECggEAFa632AtuYKZ21oomp0aNToUB1DDhgvgHKPK2J5gu/ptv\n' +
  'YI17VYetHrhA+hRniAfFSliRteSXLvjfgA3lbKxsainww0duk4E/7ha8nWIORq8l\n' +
  'jXCYbr3B0qM4C3ayi0SqxC/h+9SbZiSvWdFIEUtQiv9NE43KtgaY5jZ9Oh3Zbj+D\n' +
  'f0hP8SUO7YkDPSiZD3lpWJdPmfA3UyFMiQGTGw14cw5C2+VOB04FWyUGZFy9laN7\n' +
  'eoHEPx4kfGS+3ozYAU6gQncs/S66+evL/c8wxhcL/9ErPqfnnwDYloJM0hIJwBo4\n' +
  'rLk+RnNsIVFQfMhLQoY2jKxM0IX3DRXXVjD0YSWORQKBgQDX3xOjZB1cxqwzeI39\n' +
  'ZwLhBKw+p9Urv2q+yY1Grfbs/YuIdOlx7p5Vbabcn+C8UfWvojmEznvSay2Gu6Zk\n' +
  'aB6nAf2rLwhhP24ssvDgYQvyBE+4kb/FjbOkqSgbYlS1uod2nyyRny2xwJ3T5+Ix\n' +
  'jH5OpPk3yeYq4qn06pfJTOqJFwKBgQDI6bxcdBtc7cZhjt21RKbZzuOhuNtISi1u\n' +
  'UHZxz0MSmAHic4h4nu3E+ab7Yz3YYTWYmZWgmVwtkyf58CWpxyKn1WcopngAOsdW\n' +
  '8qvzRWPXhv/1i4pibNJGY/WnbyZX81rm+GC8QZyZhAPzAp/1Mqt1JKgDwGhMjVGj\n' +
  'B9zAamcJVQKBgQDNiCmsgZ+rO8Ws4/Vc9X06PTa6GRXPp1q8+C24w928WtNFQvsZ\n' +
  'bPX3pIUgvmA9LVPcu3pERkyCVWVtSLDuHGxC2pRpLkiuPrRpfp31JLE45n3431xV\n' +
  'fcsy1ZPILuE0fbqIaJkItSPOf/RFVBx6zKddvZlDUsoAvvrOo6WNFdygVQKBgAK6\n' +
  'ed5fjUeTyw/kGsqtZf6rOpglpIS0zS0kVpdxEx4bhlsG6qGItv3nzga38E0R9OJf\n' +
  'o5KMwp2z0+UnB7vogmX5Fe+NYy/NnItnvEIPfS2eHbe972EqzSg7j0h4z/J90Yw1\n' +
  'b0rfMTs8eblBHd78kyuCFe4HHON9P9CQ+MR8LW4JAoGAOjVBlxL2L88kj4FljIlJ\n' +
  'Dzn5eo2hx+/LXBGIUsfq+MTTbW1RFNOn3mKxZ7qWaArD9g0mSY210g6DpFf5VGXF\n' +
  '76FKwkpzqRau/UKGSdIV8gM9UKsjiZxGYsovBOati05aVMAw4VLlcfoBfrP9Ze3d\n' +
  'JstrzJdvy/3aQ81VdURZWug=\n' +
  '-----END PRIVATE KEY-----\n';

const ED25519_SEED = Buffer.from('14a62f51c6b8a167d6b9e09b33cce64130235a31381a4c94c561256242d0811a', 'hex');
const P256_D = Buffer.from('6b133ebea52cd42c03c2bbda85959493b7d81b1b31a317c43e010dc7439f5b66', 'hex');

export function fixedRsaKey(kid: string): FixedKey {
  const privateKey = createPrivateKey(RSA_PKCS8);
  const jwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, use: 'sig' };
  return { kid, alg: 'RS256', jwk, sign: (data) => sign('sha256', data, privateKey) };
}

export function fixedEd25519Key(kid: string): FixedKey {
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the 32 bytes.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), ED25519_SEED]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const jwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, use: 'sig' };
  return { kid, alg: 'EdDSA', jwk, sign: (data) => sign(null, data, privateKey) };
}

export function fixedP256Key(kid: string): FixedKey {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(P256_D);
  const point = ecdh.getPublicKey(); // 0x04 || x || y
  const [x, y] = [point.subarray(1, 33), point.subarray(33)].map((half) => half.toString('base64url'));
  const jwk = { kty: 'EC', crv: 'P-256', x, y, kid, use: 'sig' };
  return { kid, alg: 'ES256', jwk, sign: (data) => signP256(P256_D, data) };
}

/** A compact JWS signed by `key`: header `{ alg, kid, typ: 'JWT', ...header }` (undefined drops a member). */
export function signFixed(key: FixedKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${b64(payload)}`;
  return `${input}.${key.sign(Buffer.from(input)).toString('base64url')}`;
}

// P-256 (FIPS 186-4 D.1.2.3) in affine coordinates: slow, but it signs a handful of tokens once per run.
const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Point = [
  0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
];
type Point = readonly [bigint, bigint] | null; // null: the point at infinity

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
const toInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`);
const toBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function add(p: Point, q: Point): Point {
  if (!p) return q;
  if (!q) return p;
  if (p[0] === q[0] && mod(p[1] + q[1], P) === 0n) return null;
  const slope =
    p[0] === q[0] && p[1] === q[1]
      ? mod((3n * p[0] * p[0] - 3n) * inverse(2n * p[1], P), P) // tangent; a = -3
      : mod((q[1] - p[1]) * inverse(q[0] - p[0], P), P);
  const x = mod(slope * slope - p[0] - q[0], P);
  return [x, mod(slope * (p[0] - x) - p[1], P)];
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  let addend = point;
  for (let rest = k; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

/** ES256 in JOSE form (r || s, 32 bytes each), with a nonce from HMAC(d, SHA-256(data)): deterministic, never reused. */
function signP256(d: Buffer, data: Buffer): Buffer {
  const digest = createHash('sha256').update(data).digest();
  const e = toInt(digest);
  const x = toInt(d);
  for (let counter = 0; ; counter++) {
    const nonce = createHmac('sha256', d).update(digest).update(String(counter)).digest();
    const k = mod(toInt(nonce), N - 1n) + 1n;
    const r = mod(multiply(k, G)![0], N);
    const s = mod(inverse(k, N) * (e + r * x), N);
    if (r !== 0n && s !== 0n) return Buffer.concat([toBytes(r), toBytes(s)]);
  }
}
