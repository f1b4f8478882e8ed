/**
 * The fuzzer's deterministic half: a seeded PRNG, mutation operators over a valid compact JWT (bytes, characters,
 * segments, base64, the JSON of header and payload re-encoded WITHOUT re-signing) and over the request that carries
 * it (scheme, whitespace, repeated headers, `?access_token=`, the IAP header, empty values), and the oracle that says
 * which tokens the library may see in a request under the README's extraction rules.
 *
 * Everything here is a pure function of (seed, case index, the originals): a failing case replays from its seed and
 * index alone (`FUZZ_SEED=<seed> FUZZ_CASE=<index>`), since the operators, their order and positions come from the
 * PRNG. No operator ever signs anything: a mutated token can only verify if the library accepts bytes it should not.
 */

/** mulberry32: 32-bit state, good enough spread for picking operators; written here so the fuzzer has no dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of one case, mixed from the run's seed and the case index so any case replays on its own. */
export function caseSeed(seed: number, index: number): number {
  // splitmix32-style finaliser: neighbouring indices get unrelated streams.
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The PRNG with the few draws the operators need. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** An item drawn with probability proportional to its weight. */
export function weighted<T>(rng: Rng, items: readonly (readonly [number, T])[]): T {
  let draw = rng.int(items.reduce((sum, [weight]) => sum + weight, 0));
  for (const [weight, item] of items) {
    if (draw < weight) return item;
    draw -= weight;
  }
  return items[items.length - 1][1];
}

/** A valid token the fuzzer starts from, and the routes that accept it. */
export interface Original {
  token: string;
  routes: readonly string[];
}

/** What the operators may borrow from: the other originals, the configured issuers, kids and audiences. */
export interface FuzzCorpus {
  originals: readonly Original[];
  routes: readonly string[];
  issuers: readonly string[];
  kids: readonly string[];
  audiences: readonly string[];
}

/** One request of the fuzzer: the route, the query (already encoded) and the header lines in order. */
export interface FuzzCase {
  index: number;
  /** Operator names in the order applied: the case's replayable description (never a token). */
  operators: string[];
  route: string;
  query?: string;
  headers: Array<[string, string]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers over segments and JSON

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_CHARS = [...B64URL];

/**
 * Characters outside base64url a mutation may put into a token: the standard alphabet and padding, separators,
 * whitespace, control characters (NUL, ESC, DEL), quotes, percent, and unicode of 2, 3 and 4 UTF-8 bytes, including
 * invisible ones (BOM, zero-width space, line separator). CR and LF are left out: they are HTTP framing, which the
 * library never sees.
 */
const SPECIAL_CHARS = [
  '=', '+', '/', '.', ' ', '\t', '\0', '\x01', '\x1b', '\x7f', '"', "'", '\\', '%', ',', ';', '&', '#', '?', '*', ':',
  '\u00e9', '\u00a0', '\u00ff', '\u0100', '\u2028', '\u200b', '\ufeff', '\uffff', '\u{1f600}', '\u0130',
];

/** Half the time a base64url character (a token that still looks right), half the time anything else. */
const randomChar = (rng: Rng) => rng.pick(rng.chance(0.5) ? B64URL_CHARS : SPECIAL_CHARS);

const randomB64 = (rng: Rng, length: number) => Array.from({ length }, () => rng.pick(B64URL_CHARS)).join('');

/** Decodes a segment leniently (Buffer skips what it cannot read): the operators need bytes to edit, not a verdict. */
const bytesOf = (segment: string) => Buffer.from(segment, 'base64url');
const encode = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

type Json = Record<string, unknown>;

/**
 * The deepest nesting an edit re-serialises: `JSON.stringify` recurses, and where it overflows depends on the stack
 * in use, so a deeper document (left by a raw edit) is replaced rather than risked, keeping every case deterministic.
 */
const MAX_EDIT_DEPTH = 2600;

/** The greatest nesting of `[` and `{` in a JSON text, strings skipped. */
function depthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
    else if (char === ']' || char === '}') depth--;
  }
  return deepest;
}

/** The segment's JSON object, or `{}` when an earlier operator left something that is not one (or is too deep). */
function jsonOf(segment: string): Json {
  try {
    const text = bytesOf(segment).toString('utf8');
    if (depthOf(text) > MAX_EDIT_DEPTH) return {};
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    // an earlier mutation broke it: edit an empty object instead
  }
  return {};
}

/** Rebuilds a token from segments, with segment `i` replaced. */
function withSegment(token: string, i: number, value: string): string {
  const segments = token.split('.');
  if (i >= segments.length) return token;
  segments[i] = value;
  return segments.join('.');
}

/** Index of a segment, weighted towards the signature and payload, where most of the bytes are. */
function pickSegment(rng: Rng, token: string): number {
  const count = token.split('.').length;
  if (count < 3) return rng.int(count);
  return rng.pick([0, 1, 1, 2, 2, 2]);
}

/** `{"a":{"a":…{}}}` or `[[[…]]]` nested `depth` deep. */
const nested = (depth: number, array: boolean) =>
  array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);

/** A value of a random JSON type, for retyping claims. */
function randomJsonValue(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => null,
    () => true,
    () => rng.range(-5, 5),
    () => 1.5,
    () => -0.0,
    () => 2 ** 64,
    () => 1e308,
    () => '',
    () => randomB64(rng, rng.range(1, 40)),
    () => [],
    () => [randomB64(rng, 4), 7],
    () => ({}),
    () => ({ nested: { deeper: [1, 2, 3] } }),
  ])();
}

// ---------------------------------------------------------------------------------------------------------------
// JSON edits: decode, edit, re-encode, never re-sign

interface EditContext {
  rng: Rng;
  corpus: FuzzCorpus;
  /**
   * The original's `iat` (in the past) and `exp` (far in the future): times are edited relative to them, never to the
   * wall clock, so an edit gives the same bytes on every run.
   */
  iat: number;
  exp: number;
}

type JsonEdit = readonly [name: string, edit: (json: Json, ctx: EditContext) => void];

/** `alg` values: `none` spelt four ways, HMAC (key confusion), other key types' algorithms, wrong case, unknown. */
const ALGORITHMS = [
  'none', 'None', 'NONE', 'nOnE', 'HS256', 'hs256', 'HS512', 'RS256', 'rs256', 'RS1', 'PS256', 'ES256', 'ES256K', 'ES384',
  'EdDSA', 'eddsa', 'Ed25519', '',
];

const HEADER_EDITS: readonly JsonEdit[] = [
  ...ALGORITHMS.map((alg): JsonEdit => [`header:alg=${alg || 'empty'}`, (h) => void (h['alg'] = alg)]),
  ['header:alg=retyped', (h, { rng }) => void (h['alg'] = randomJsonValue(rng))],
  ['header:alg=array', (h) => void (h['alg'] = ['RS256'])],
  ['header:alg=drop', (h) => void delete h['alg']],
  ['header:kid=other-valid', (h, { rng, corpus }) => void (h['kid'] = rng.pick(corpus.kids))],
  ['header:kid=unknown', (h, { rng }) => void (h['kid'] = `unknown-${randomB64(rng, 8)}`)],
  ['header:kid=empty', (h) => void (h['kid'] = '')],
  ['header:kid=256', (h) => void (h['kid'] = 'k'.repeat(256))],
  ['header:kid=257', (h) => void (h['kid'] = 'k'.repeat(257))],
  ['header:kid=path', (h) => void (h['kid'] = '../../../../etc/passwd')],
  ['header:kid=nul', (h) => void (h['kid'] = 'rsa-1\u0000')],
  ['header:kid=retyped', (h, { rng }) => void (h['kid'] = randomJsonValue(rng))],
  ['header:kid=drop', (h) => void delete h['kid']],
  ['header:typ=retyped', (h, { rng }) => void (h['typ'] = randomJsonValue(rng))],
  ['header:crit=exp', (h) => void (h['crit'] = ['exp'])],
  ['header:crit=empty', (h) => void (h['crit'] = [])],
  ['header:crit=b64', (h) => void Object.assign(h, { crit: ['b64'], b64: false })],
  ['header:jku', (h) => void (h['jku'] = 'http://127.0.0.1:1/attacker/jwks')],
  ['header:x5u', (h) => void (h['x5u'] = 'http://127.0.0.1:1/attacker/cert.pem')],
  ['header:jwk=oct', (h) => void (h['jwk'] = { kty: 'oct', k: encode('attacker-chosen-secret-of-32-bytes!!') })],
  ['header:jwk=rsa', (h) => void (h['jwk'] = { kty: 'RSA', n: encode(Buffer.alloc(256, 0xa5)), e: 'AQAB' })],
  ['header:x5c', (h) => void (h['x5c'] = [encode(Buffer.alloc(300, 0x30))])],
  ['header:huge-string', (h, { rng }) => void (h['x'] = 'h'.repeat(rng.pick([100, 3000, 6000, 20000])))],
  ['header:huge-array', (h, { rng }) => void (h['x'] = Array.from({ length: rng.pick([100, 1000, 5000]) }, (_, i) => i))],
  ['header:deep', (h, { rng }) => void (h['x'] = JSON.parse(nested(rng.pick([10, 200, 1000]), rng.chance(0.5))))],
  ['header:clear', (h) => void Object.keys(h).forEach((key) => delete h[key])],
];

const PAYLOAD_EDITS: readonly JsonEdit[] = [
  ['payload:iss=other-issuer', (p, { rng, corpus }) => void (p['iss'] = rng.pick(corpus.issuers))],
  ['payload:iss=upper', (p) => void (p['iss'] = String(p['iss'] ?? '').toUpperCase())],
  ['payload:iss=trailing-slash', (p) => void (p['iss'] = `${String(p['iss'] ?? '')}/`)],
  ['payload:iss=space', (p) => void (p['iss'] = ` ${String(p['iss'] ?? '')}`)],
  ['payload:iss=empty', (p) => void (p['iss'] = '')],
  ['payload:iss=array', (p) => void (p['iss'] = [p['iss']])],
  ['payload:iss=retyped', (p, { rng }) => void (p['iss'] = randomJsonValue(rng))],
  ['payload:iss=drop', (p) => void delete p['iss']],
  ['payload:aud=other', (p, { rng, corpus }) => void (p['aud'] = rng.pick(corpus.audiences))],
  ['payload:aud=unknown', (p) => void (p['aud'] = 'https://attacker.example.com')],
  ['payload:aud=list', (p, { rng, corpus }) => void (p['aud'] = [rng.pick(corpus.audiences), 'https://evil.example'])],
  ['payload:aud=empty-list', (p) => void (p['aud'] = [])],
  ['payload:aud=empty', (p) => void (p['aud'] = '')],
  ['payload:aud=mixed-list', (p) => void (p['aud'] = [p['aud'], 7])],
  ['payload:aud=retyped', (p, { rng }) => void (p['aud'] = randomJsonValue(rng))],
  ['payload:aud=huge-list', (p, { rng }) => void (p['aud'] = Array.from({ length: rng.pick([100, 600, 5000]) }, (_, i) => String(i)))],
  ['payload:aud=drop', (p) => void delete p['aud']],
  ['payload:exp=past', (p, { iat }) => void (p['exp'] = iat - 3600)],
  ['payload:exp=iat', (p, { iat }) => void (p['exp'] = iat)],
  ['payload:exp=later', (p, { exp }) => void (p['exp'] = exp + 86400)],
  ['payload:exp=2^64', (p) => void (p['exp'] = 2 ** 64)],
  ['payload:exp=2^53', (p) => void (p['exp'] = 2 ** 53)],
  ['payload:exp=negative', (p) => void (p['exp'] = -1)],
  ['payload:exp=fraction', (p, { exp }) => void (p['exp'] = exp + 0.5)],
  ['payload:exp=zero', (p) => void (p['exp'] = 0)],
  ['payload:exp=string', (p, { exp }) => void (p['exp'] = String(exp))],
  ['payload:exp=retyped', (p, { rng }) => void (p['exp'] = randomJsonValue(rng))],
  ['payload:exp=drop', (p) => void delete p['exp']],
  ['payload:nbf=future', (p, { exp, rng }) => void (p['nbf'] = exp - rng.pick([60, 3600, 86400]))],
  ['payload:nbf=retyped', (p, { rng }) => void (p['nbf'] = randomJsonValue(rng))],
  ['payload:iat=future', (p, { exp }) => void (p['iat'] = exp - 60)],
  ['payload:iat=retyped', (p, { rng }) => void (p['iat'] = randomJsonValue(rng))],
  ['payload:sub=retyped', (p, { rng }) => void (p['sub'] = randomJsonValue(rng))],
  ['payload:sub=huge', (p, { rng }) => void (p['sub'] = 's'.repeat(rng.pick([1000, 5000, 6000, 30000])))],
  ['payload:sub=drop', (p) => void delete p['sub']],
  ['payload:jti=retyped', (p, { rng }) => void (p['jti'] = randomJsonValue(rng))],
  ['payload:constructor', (p) => void (p['constructor'] = { prototype: { admin: true } })],
  ['payload:extra-claim', (p, { rng }) => void (p[randomB64(rng, 6)] = randomJsonValue(rng))],
  ['payload:huge-array', (p, { rng }) => void (p['roles'] = new Array(rng.pick([100, 1000, 3000])).fill('admin'))],
  ['payload:deep', (p, { rng }) => void (p['x'] = JSON.parse(nested(rng.pick([10, 100, 1000, 2500]), rng.chance(0.5))))],
  ['payload:clear', (p) => void Object.keys(p).forEach((key) => delete p[key])],
];

/** `iss` → `\u0069ss`. */
const escapeFirst = (key: string) => `\\u00${key.charCodeAt(0).toString(16)}${key.slice(1)}`;

/**
 * Edits of the JSON text itself, for what `JSON.stringify` cannot write: `__proto__` keys, duplicate keys (the last
 * one wins in `JSON.parse`), escapes, a BOM, invalid UTF-8, non-object roots, trailing data, deep nesting.
 */
const RAW_EDITS: readonly (readonly [name: string, edit: (text: string, ctx: EditContext) => string | Buffer])[] = [
  ['raw:__proto__', (text) => text.replace(/^\{/, '{"__proto__":{"admin":true},')],
  ['raw:__proto__-escaped', (text) => text.replace(/^\{/, '{"\\u005f_proto__":{"admin":true},')],
  ['raw:__proto__-nested', (text) => text.replace(/^\{/, '{"x":{"__proto__":{"admin":true}},')],
  ['raw:duplicate-iss-first', (text, { rng, corpus }) => text.replace(/^\{/, `{"iss":"${rng.pick(corpus.issuers)}",`)],
  ['raw:duplicate-iss-last', (text, { rng, corpus }) => text.replace(/\}$/, `,"iss":"${rng.pick(corpus.issuers)}"}`)],
  ['raw:duplicate-alg-last', (text) => text.replace(/\}$/, ',"alg":"none"}')],
  ['raw:duplicate-exp-last', (text) => text.replace(/\}$/, ',"exp":1}')],
  // `"iss"` spelt `"\u0069ss"`: the same key to JSON.parse, different bytes.
  ['raw:escaped-keys', (text) => text.replace(/"(iss|alg|kid|exp|aud)"/g, (_, key: string) => `"${escapeFirst(key)}"`)],
  ['raw:whitespace', (text) => ` \n\t${text.replace(/,/g, ' , ').replace(/:/g, ' : ')}\r\n `],
  ['raw:bom', (text) => `\ufeff${text}`],
  ['raw:invalid-utf8', (text) => Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff, 0x7d])])],
  ['raw:overlong-utf8', (text) => Buffer.concat([Buffer.from(text.replace(/\}$/, ',"x":"')), Buffer.from([0xc0, 0xaf, 0x22, 0x7d])])],
  ['raw:lone-surrogate', (text) => text.replace(/\}$/, ',"x":"\\ud800"}')],
  ['raw:nul', (text) => text.replace(/\}$/, ',"x":"\\u0000"}')],
  ['raw:trailing-garbage', (text) => `${text}garbage`],
  ['raw:trailing-object', (text) => `${text}{}`],
  ['raw:truncated', (text, { rng }) => text.slice(0, rng.int(Math.max(1, text.length)))],
  ['raw:root-array', (text) => `[${text}]`],
  ['raw:root-string', (text) => JSON.stringify(text)],
  ['raw:root-null', () => 'null'],
  ['raw:root-number', () => '12345'],
  ['raw:empty', () => ''],
  ['raw:empty-object', () => '{}'],
  ['raw:single-quotes', (text) => text.replace(/"/g, "'")],
  ['raw:comment', (text) => text.replace(/^\{/, '{/* c */')],
  ['raw:deep-array', (text, { rng }) => text.replace(/\}$/, `,"x":${nested(rng.pick([500, 3000, 10000]), true)}}`)],
  ['raw:deep-object', (text, { rng }) => text.replace(/\}$/, `,"x":${nested(rng.pick([500, 1500]), false)}}`)],
  ['raw:unclosed-deep', (_text, { rng }) => '['.repeat(rng.pick([100, 4000]))],
  ['raw:big-number', (text) => text.replace(/\}$/, `,"x":${'9'.repeat(400)}}`)],
  ['raw:exp-exponent', (text) => text.replace(/"exp":\d+/, '"exp":1e3')],
  ['raw:exp-negative-zero', (text) => text.replace(/"exp":\d+/, '"exp":-0')],
];

/** Applies `edit` to the JSON of segment `i` (0 header, 1 payload) and re-encodes it, keeping the old signature. */
function editJson(token: string, i: 0 | 1, edit: (json: Json) => void): string {
  const segments = token.split('.');
  if (segments.length <= i) return token;
  const json = jsonOf(segments[i]);
  edit(json);
  return withSegment(token, i, encode(JSON.stringify(json)));
}

function editRaw(token: string, i: 0 | 1, edit: (text: string) => string | Buffer): string {
  const segments = token.split('.');
  if (segments.length <= i) return token;
  return withSegment(token, i, encode(edit(bytesOf(segments[i]).toString('utf8'))));
}

// ---------------------------------------------------------------------------------------------------------------
// Token operators

type TokenOperator = (token: string, ctx: EditContext) => { name: string; token: string };

/**
 * The token operators, each returning its name (with the detail that makes the case readable) and the new token, with
 * their weights: edits that reach the claim and signature checks are picked most.
 */
const TOKEN_OPERATORS: readonly (readonly [weight: number, operator: TokenOperator])[] = [
  // A bit of the decoded bytes of one segment, re-encoded canonically: the classic "one bit off" token.
  [4, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const bytes = bytesOf(token.split('.')[i]);
    if (bytes.length === 0) return { name: `bit-flip:${i}:empty`, token };
    const at = rng.int(bytes.length);
    bytes[at] ^= 1 << rng.int(8);
    return { name: `bit-flip:${i}`, token: withSegment(token, i, encode(bytes)) };
  }],
  // A bit of a character's code: may leave the alphabet, become a dot, or stay a valid but different character.
  [2, (token, { rng }) => {
    if (!token) return { name: 'char-bit-flip:empty', token };
    const at = rng.int(token.length);
    const code = token.charCodeAt(at) ^ (1 << rng.int(7));
    return { name: 'char-bit-flip', token: token.slice(0, at) + String.fromCharCode(code) + token.slice(at + 1) };
  }],
  [2, (token, { rng }) => {
    const at = rng.int(token.length + 1);
    const char = randomChar(rng);
    return { name: `char-insert:${describeChar(char)}`, token: token.slice(0, at) + char + token.slice(at) };
  }],
  [1, (token, { rng }) => {
    if (!token) return { name: 'char-delete:empty', token };
    const at = rng.int(token.length);
    return { name: `char-delete${token[at] === '.' ? ':dot' : ''}`, token: token.slice(0, at) + token.slice(at + 1) };
  }],
  [2, (token, { rng }) => {
    if (!token) return { name: 'char-replace:empty', token };
    const at = rng.int(token.length);
    const char = randomChar(rng);
    return { name: `char-replace:${describeChar(char)}`, token: token.slice(0, at) + char + token.slice(at + 1) };
  }],
  // Same bytes, another spelling: the last character's unused low bits set. Only strict base64url refuses it.
  [2, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const segment = token.split('.')[i];
    const spare = [0, 0, 4, 2][segment.length % 4]; // unused bits of the last character
    if (!segment || spare === 0) return { name: `non-canonical-tail:${i}:none`, token };
    const value = B64URL.indexOf(segment[segment.length - 1]);
    if (value < 0) return { name: `non-canonical-tail:${i}:none`, token };
    const changed = value ^ (1 + rng.int((1 << spare) - 1));
    return { name: `non-canonical-tail:${i}`, token: withSegment(token, i, segment.slice(0, -1) + B64URL[changed]) };
  }],
  // Padding and the standard alphabet: what a lenient decoder would read as the same bytes.
  [1, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const segment = token.split('.')[i];
    const kind = rng.pick(['pad', 'std', 'std-unpadded'] as const);
    const standard = bytesOf(segment).toString('base64');
    const unpadded = standard.replace(/=+$/, '');
    const value = kind === 'pad' ? segment + rng.pick(['=', '==', '===']) : kind === 'std' ? standard : unpadded;
    return { name: `base64-${kind}:${i}`, token: withSegment(token, i, value) };
  }],
  [1, (token, { rng }) => {
    const segments = token.split('.');
    const a = rng.int(segments.length);
    const b = rng.int(segments.length);
    [segments[a], segments[b]] = [segments[b], segments[a]];
    return { name: `segment-swap:${a}-${b}`, token: segments.join('.') };
  }],
  [1, (token, { rng }) => {
    const segments = token.split('.');
    const i = rng.int(segments.length);
    segments.splice(rng.int(segments.length + 1), 0, segments[i]);
    return { name: `segment-duplicate:${i}`, token: segments.join('.') };
  }],
  [1, (token, { rng }) => {
    const segments = token.split('.');
    const i = rng.int(segments.length);
    const empty = rng.chance(0.5);
    if (empty) segments[i] = '';
    else segments.splice(i, 1);
    return { name: `segment-${empty ? 'empty' : 'drop'}:${i}`, token: segments.join('.') };
  }],
  // Another original's segment at the same place: a real header, payload or signature that belongs elsewhere.
  [2, (token, { rng, corpus }) => {
    const i = rng.int(3);
    const donor = rng.pick(corpus.originals).token.split('.')[i];
    return { name: `segment-splice:${i}`, token: withSegment(token, i, donor) };
  }],
  [2, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const segment = token.split('.')[i];
    const length = rng.range(1, 32);
    const at = rng.int(segment.length + 1);
    const noisy = segment.slice(0, at) + randomB64(rng, length) + segment.slice(at + length);
    return { name: `base64-noise:${i}`, token: withSegment(token, i, noisy) };
  }],
  [1, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const segment = token.split('.')[i];
    const noise = Buffer.from(Array.from({ length: rng.range(1, 64) }, () => rng.int(256)));
    const bytes = Buffer.concat([bytesOf(segment), noise]);
    return { name: `append-bytes:${i}`, token: withSegment(token, i, encode(bytes)) };
  }],
  [1, (token, { rng }) => {
    const i = pickSegment(rng, token);
    const segment = token.split('.')[i];
    const at = rng.int(segment.length + 1);
    const length = rng.range(1, 16);
    const flip = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
    const flipped = segment.slice(0, at) + [...segment.slice(at, at + length)].map(flip).join('') + segment.slice(at + length);
    return { name: `case-flip:${i}`, token: withSegment(token, i, flipped) };
  }],
  [1, (token, { rng }) => ({ name: 'truncate', token: token.slice(0, rng.int(token.length + 1)) })],
  [1, (token, { rng }) => {
    const kind = rng.pick(['leading', 'trailing', 'double', 'only'] as const);
    const value =
      kind === 'leading'
        ? `.${token}`
        : kind === 'trailing'
          ? `${token}.`
          : kind === 'double'
            ? token.replace('.', '..')
            : rng.pick(['.', '..', '...', '']);
    return { name: `dots:${kind}`, token: value };
  }],
  [1, (token, { rng }) => {
    const space = rng.pick([' ', '\t', '\u00a0', '\u2028', '\u3000', '\u200b']);
    const where = rng.pick(['start', 'end', 'after-dot'] as const);
    const value = where === 'start' ? space + token : where === 'end' ? token + space : token.replace('.', `.${space}`);
    return { name: `whitespace:${where}:${describeChar(space)}`, token: value };
  }],
  [1, (token, { rng }) => ({ name: 'repeat', token: rng.chance(0.5) ? token + token : `${token}.${token}` })],
  // Around maxTokenBytes (8192): one byte under, at, over, counted in UTF-8 bytes (a multi-byte character at the end).
  [1, (token, { rng }) => {
    const target = rng.pick([8191, 8192, 8193, 8200, 12000, 16000, 40000]);
    const multibyte = rng.chance(0.3);
    const [header, payload, signature] = token.split('.');
    const fill = Math.max(0, target - Buffer.byteLength(token) - (multibyte ? 2 : 0));
    const grown = `${header}.${payload}${randomB64(rng, fill)}${multibyte ? '\u00e9' : ''}.${signature ?? ''}`;
    return { name: `grow:${target}${multibyte ? ':multibyte' : ''}`, token: grown };
  }],
  [1, (token, { rng }) => {
    const i = pickSegment(rng, token);
    return { name: `segment-reverse:${i}`, token: withSegment(token, i, [...token.split('.')[i]].reverse().join('')) };
  }],
  [1, (_token, { rng }) => {
    const value = rng.pick(['', 'null', 'undefined', 'Bearer', '[object Object]', randomB64(rng, rng.range(1, 200))]);
    return { name: 'replace-all', token: value };
  }],
  [4, (token, ctx) => {
    const [name, edit] = ctx.rng.pick(HEADER_EDITS);
    return { name, token: editJson(token, 0, (json) => edit(json, ctx)) };
  }],
  [5, (token, ctx) => {
    const [name, edit] = ctx.rng.pick(PAYLOAD_EDITS);
    return { name, token: editJson(token, 1, (json) => edit(json, ctx)) };
  }],
  [4, (token, ctx) => {
    const [name, edit] = ctx.rng.pick(RAW_EDITS);
    const i = ctx.rng.pick([0, 1] as const);
    return { name: `${name}:${i === 0 ? 'header' : 'payload'}`, token: editRaw(token, i, (text) => edit(text, ctx)) };
  }],
];

/** A readable name for a palette character, so operator lists stay printable. */
function describeChar(char: string): string {
  if (/^[A-Za-z0-9_-]$/.test(char)) return 'b64';
  const code = char.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? char : `U+${code.toString(16).padStart(4, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Request operators

interface RequestParts {
  route: string;
  query?: string;
  headers: Array<[string, string]>;
}

type RequestOperator = (
  mutated: string,
  original: Original,
  ctx: EditContext & { route: string },
) => { name: string; parts: RequestParts };

/**
 * `?access_token=` as a client would encode it: fully (every byte but the unreserved ones), or laxly (only what
 * cannot go on a request line, so the server then reads `+` as a space, `%xx` as a byte and `&` as a separator).
 * The UTF-8 bytes are encoded by hand: `encodeURIComponent` throws on the lone surrogates a deletion can leave.
 */
function accessToken(token: string, lax: boolean): string {
  const keep = (byte: number) =>
    lax ? byte > 0x20 && byte < 0x7f && byte !== 0x23 : /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte));
  const escaped = [...Buffer.from(token, 'utf8')]
    .map((byte) => (keep(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return `access_token=${escaped}`;
}

const bearerHeader = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

/** Prefixes that are not ESP's `Bearer ` (any case, then spaces), and some that are `Bearer ` in another case or plus more. */
const SCHEMES = ['bearer ', 'BEARER ', 'Bearer', 'Bearer\t', 'Bearer  ', 'Basic ', 'Bearer Bearer ', 'Token ', 'Bearer:', ''];

const REQUEST_OPERATORS: readonly RequestOperator[] = [
  (token, _o, { rng, route }) => {
    const scheme = rng.pick(SCHEMES);
    return { name: `scheme:${JSON.stringify(scheme)}`, parts: { route, headers: [['Authorization', scheme + token]] } };
  },
  // Whitespace around the whole value: HTTP strips it, so the library sees the token as typed.
  (token, _o, { rng, route }) => {
    const before = rng.pick(['', ' ', '  ', '\t']);
    const after = rng.pick(['', ' ', '\t ', '   ']);
    return { name: 'value-ows', parts: { route, headers: [['Authorization', `${before}Bearer ${token}${after}`]] } };
  },
  (token, _o, { rng, route }) => {
    const name = rng.pick(['AUTHORIZATION', 'authorization', 'AuThOrIzAtIoN']);
    return { name: `header-name:${name}`, parts: { route, headers: [[name, `Bearer ${token}`]] } };
  },
  // Every instance of a repeated token header must verify: a bad one next to a good one must still fail.
  (token, original, { rng, route }) => {
    const order = rng.pick(['mutated-first', 'original-first', 'both-mutated'] as const);
    const headers: Array<[string, string]> =
      order === 'mutated-first'
        ? [bearerHeader(token), bearerHeader(original.token)]
        : order === 'original-first'
          ? [bearerHeader(original.token), bearerHeader(token)]
          : [bearerHeader(token), bearerHeader(token)];
    return { name: `repeat-authorization:${order}`, parts: { route, headers } };
  },
  (token, original, { rng, route }) => {
    const count = rng.pick([3, 10, 50, 200]);
    const headers = Array.from({ length: count }, (_, i) => bearerHeader(i === count - 1 ? original.token : token));
    return { name: `many-authorization:${count}`, parts: { route, headers } };
  },
  (token, original, { rng, route }) => {
    const [first, second] = rng.chance(0.5) ? [token, original.token] : [original.token, token];
    const value = `Bearer ${first}, Bearer ${second}`;
    return { name: 'comma-joined', parts: { route, headers: [['Authorization', value]] } };
  },
  (token, _o, { rng, route }) => {
    const lax = rng.chance(0.4);
    return { name: `to-query${lax ? ':lax' : ''}`, parts: { route, query: accessToken(token, lax), headers: [] } };
  },
  // Only the first `access_token` counts, as in ESP: a second value is ignored, whichever it is.
  (token, original, { rng, route }) => {
    const mutatedFirst = rng.chance(0.5);
    const [first, second] = mutatedFirst ? [token, original.token] : [original.token, token];
    const query = `${accessToken(first, false)}&${accessToken(second, false)}`;
    return { name: `query-duplicate:${mutatedFirst ? 'mutated-first' : 'original-first'}`, parts: { route, query, headers: [] } };
  },
  (token, original, { rng, route }) => {
    const mutatedInHeader = rng.chance(0.5);
    const [inHeader, inQuery] = mutatedInHeader ? [token, original.token] : [original.token, token];
    const parts = { route, query: accessToken(inQuery, false), headers: [bearerHeader(inHeader)] };
    return { name: `header-and-query:${mutatedInHeader ? 'mutated-header' : 'mutated-query'}`, parts };
  },
  (token, original, { rng, route }) => {
    const withBearer = rng.chance(0.3);
    const headers: Array<[string, string]> = [['X-Goog-Iap-Jwt-Assertion', token]];
    if (withBearer) headers.push(bearerHeader(original.token));
    return { name: `to-iap${withBearer ? ':with-original-bearer' : ''}`, parts: { route, headers } };
  },
  (_token, _o, { rng, route }) => {
    const kind = rng.pick(['authorization', 'bearer', 'query', 'iap', 'none'] as const);
    const parts: RequestParts =
      kind === 'authorization'
        ? { route, headers: [['Authorization', '']] }
        : kind === 'bearer'
          ? { route, headers: [['Authorization', 'Bearer ']] }
          : kind === 'query'
            ? { route, query: 'access_token=', headers: [] }
            : kind === 'iap'
              ? { route, headers: [['X-Goog-Iap-Jwt-Assertion', '']] }
              : { route, headers: [] };
    return { name: `empty:${kind}`, parts };
  },
  (token, _o, { rng, route }) => {
    const size = rng.pick([4000, 17000, 70000]);
    const headers: Array<[string, string]> = [bearerHeader(token), ['X-Filler', 'f'.repeat(size)]];
    return { name: `huge-extra-header:${size}`, parts: { route, headers } };
  },
  (token, _o, { rng, corpus }) => {
    const route = rng.pick(corpus.routes);
    return { name: `route:${route}`, parts: { route, headers: [bearerHeader(token)] } };
  },
];

/**
 * Case `index` of the run `seed`: an original picked at random, 0–3 token operators stacked on it, then with some
 * probability one request operator (always one when no token operator ran, so every case mutates something).
 */
export function buildCase(seed: number, index: number, corpus: FuzzCorpus): FuzzCase {
  const rng = new Rng(caseSeed(seed, index));
  const original = rng.pick(corpus.originals);
  const { iat, exp } = jsonOf(original.token.split('.')[1]);
  const ctx: EditContext = { rng, corpus, iat: Number(iat), exp: Number(exp) };
  const operators: string[] = [];
  let token = original.token;
  const tokenOperators = rng.chance(0.1) ? 0 : rng.pick([1, 1, 1, 2, 2, 3]);
  for (let i = 0; i < tokenOperators; i++) {
    const operator = weighted(rng, TOKEN_OPERATORS);
    let step: { name: string; token: string };
    try {
      step = operator(token, ctx);
    } catch {
      // A fuzzer fault, not the library's: the case goes on with the token as it was, and says so.
      step = { name: 'operator-threw', token };
    }
    operators.push(step.name);
    token = step.token;
  }
  const route = rng.pick(original.routes);
  let parts: RequestParts = { route, headers: [bearerHeader(token)] };
  if (tokenOperators === 0 || rng.chance(0.3)) {
    const step = rng.pick(REQUEST_OPERATORS)(token, original, { ...ctx, route });
    operators.push(step.name);
    parts = step.parts;
  }
  return { index, operators, ...parts };
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle

const TOKEN_HEADERS = new Set(['authorization', 'x-goog-iap-jwt-assertion']);

/** A header value as the server reads it: the bytes sent (UTF-8) read back as latin1, surrounding SP/HTAB removed. */
export const serverView = (value: string): string =>
  Buffer.from(value, 'utf8').toString('latin1').replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * The tokens the library may find in the request, by the documented rules (docs/token-checks.md), written
 * independently of lib/: every `Authorization` value that starts with `Bearer ` (the scheme in any case) gives the
 * rest from its first base64url-or-dot character, every IAP header gives its value, and `?access_token=` gives its
 * first, percent-decoded value.
 */
export function tokensSeen(request: Pick<FuzzCase, 'headers' | 'query'>): string[] {
  const tokens: string[] = [];
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (!TOKEN_HEADERS.has(lower)) continue;
    const seen = serverView(value);
    if (lower === 'x-goog-iap-jwt-assertion') tokens.push(seen);
    else if (/^bearer /i.test(seen)) tokens.push(afterScheme(seen.slice('Bearer '.length)));
  }
  const fromQuery = request.query === undefined ? null : new URLSearchParams(request.query).get('access_token');
  if (fromQuery !== null) tokens.push(fromQuery);
  return tokens;
}

/** The rest of an `Authorization` value after `Bearer `: from its first token character on, or all of it if none. */
function afterScheme(rest: string): string {
  const start = rest.search(/[A-Za-z0-9._-]/);
  return start === -1 ? rest : rest.slice(start);
}

/**
 * A token with each segment's padding removed when it is exactly the `=` count the segment's length needs: the one
 * other spelling of the same bytes the library accepts (docs/token-checks.md). Any other padding stays, and differs.
 */
export function withoutPadding(token: string): string {
  return token
    .split('.')
    .map((segment) => {
      const bare = segment.replace(/=+$/, '');
      const needed = (4 - (bare.length % 4)) % 4;
      return segment.length - bare.length === needed && needed !== 3 ? bare : segment;
    })
    .join('.');
}

/**
 * Whether a 2xx is allowed: the request carries at least one token and each is one of the originals, byte for byte
 * or with its segments correctly padded.
 */
export function mayPass(request: Pick<FuzzCase, 'headers' | 'query'>, originals: ReadonlySet<string>): boolean {
  const tokens = tokensSeen(request);
  return tokens.length > 0 && tokens.every((token) => originals.has(withoutPadding(token)));
}

/**
 * What must never be echoed: every token-carrying value (as sent and as the server reads it), the tokens in it, and
 * each of their dot-separated pieces — only those longer than 16 characters, so short pieces that happen to be
 * ordinary words (`Bearer`, `null`) do not count.
 */
export function secretsOf(request: Pick<FuzzCase, 'headers' | 'query'>): string[] {
  const secrets = new Set<string>();
  const add = (value: string) => {
    for (const piece of [value, ...value.split('.')]) if (piece.length > 16) secrets.add(piece);
  };
  for (const token of tokensSeen(request)) add(token);
  for (const [name, value] of request.headers) {
    if (!TOKEN_HEADERS.has(name.toLowerCase())) continue;
    for (const part of value.split(/[ ,\t]+/)) add(part);
    for (const part of serverView(value).split(/[ ,\t]+/)) add(part);
  }
  return [...secrets];
}
