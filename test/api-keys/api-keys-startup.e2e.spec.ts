/**
 * What start-up makes of API keys: a spec that asks for one fails without the apiKeys option, naming the operations
 * and both ways out; a malformed apiKeys value or apiKey definition fails with a clear message that never echoes a
 * value; a spec whose apiKey definitions no security names starts as before.
 */
import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type EndpointsAuthModuleOptions, SpecError } from '../../lib/index.js';
import { startsCleanly, startupError } from '../api-config/spec-kit.js';

/** Never fetched: every app in this file fails (or is closed) before it serves a request. */
const JWKS = 'http://127.0.0.1:9/jwks';

type Doc = Record<string, unknown>;

/** A valid OpenAPI 2 document: alpha, and `api_key` (query `key`); `patch` replaces top-level keys. */
function openApi2(patch: Doc = {}, definitions: Doc = {}): Doc {
  return {
    swagger: '2.0',
    info: { title: 'api keys', version: '1' },
    host: 'svc.example.com',
    securityDefinitions: {
      alpha: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://alpha.example.com', 'x-google-jwks_uri': JWKS },
      api_key: { type: 'apiKey', name: 'key', in: 'query' },
      ...definitions,
    },
    paths: {},
    ...patch,
  };
}

@Controller('books')
class BooksController {
  @Get('open')
  open() {
    return {};
  }
}

function failureOf(options: EndpointsAuthModuleOptions): Promise<Error> {
  return startupError({ imports: [EndpointsAuthModule.forRoot(options)], controllers: [BooksController] });
}

/** A SpecError `nestjs-endpoints-auth: <source>: ...` that contains every `part`. */
function expectSpecError(error: Error, source: string, ...parts: string[]): void {
  expect(error).toBeInstanceOf(SpecError);
  expect(error.message.startsWith(`nestjs-endpoints-auth: ${source}: `), error.message).toBe(true);
  for (const part of parts) expect(error.message).toContain(part);
}

const BOTH_WAYS_OUT = ['set the apiKeys option to { validate(key, context) }', "or to 'unchecked' to leave them unchecked on purpose"];

describe('a spec that asks for API keys, without the apiKeys option', () => {
  it('fails start-up naming the operations that need a key and both ways out', async () => {
    const spec = openApi2({
      paths: {
        '/books/open': { get: { security: [{ api_key: [] }] } },
        '/authors/{author}': { delete: { security: [{ alpha: [], api_key: [] }] }, get: { security: [{ alpha: [] }] } },
        '/shelves': { get: { security: [{ alpha: [] }, { api_key: [] }] }, post: { security: [] } },
      },
    });
    const error = await failureOf({ spec });
    expectSpecError(error, 'spec object', 'an API key is required on ', ...BOTH_WAYS_OUT);
    const named = /required on (.*?) \(their security/.exec(error.message)?.[1].split(', ');
    expect(named?.sort()).toEqual(['DELETE /authors/{author}', 'GET /books/open', 'GET /shelves']);
  });

  it('fails start-up for an API-level security that names an apiKey, naming the unlisted routes and the operations that inherit it', async () => {
    const spec = openApi2({
      security: [{ alpha: [], api_key: [] }],
      paths: { '/books/open': { get: { summary: 'inherits' } }, '/books/free': { get: { security: [] } } },
    });
    const error = await failureOf({ spec });
    expectSpecError(
      error,
      'spec object',
      'an API key is required on GET /books/open, every route the spec does not list (the API-level security)',
      ...BOTH_WAYS_OUT,
    );
    expect(error.message).not.toContain('/books/free');
  });

  it('reads an OpenAPI 3 apiKey scheme the same way', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 'v3', version: '1' },
      servers: [{ url: 'https://v3.example.com', 'x-google-endpoint': {} }],
      components: {
        securitySchemes: {
          auth: { type: 'oauth2', flows: {}, 'x-google-auth': { issuer: 'https://v3-issuer', jwksUri: JWKS, audiences: ['a'] } },
          key: { type: 'apiKey', in: 'header', name: 'X-Key' },
        },
      },
      paths: { '/books/open': { get: { security: [{ key: [] }] } } },
    };
    expectSpecError(await failureOf({ spec }), 'spec object', 'an API key is required on GET /books/open (');
  });

  it('starts as before when no security names the apiKey definition', async () => {
    await startsCleanly({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2({ security: [{ alpha: [] }] }) })],
      controllers: [BooksController],
    });
  });

  it('starts with a validator or with "unchecked"', async () => {
    const spec = openApi2({ paths: { '/books/open': { get: { security: [{ api_key: [] }] } } } });
    for (const apiKeys of [{ validate: () => true }, 'unchecked' as const]) {
      await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec, apiKeys })], controllers: [BooksController] });
    }
  });
});

describe('a malformed apiKeys option fails start-up', () => {
  const spec = openApi2({ paths: { '/books/open': { get: { security: [{ api_key: [] }] } } } });

  it.each([
    ['a string other than "unchecked" (which may be a key: never echoed)', 'AIzaSyD-secret-looking-key', 'a string'],
    ['true', true, 'a boolean'],
    ['a bare function', (key: string) => key === 'x', 'a function'],
    ['an object without validate', {}, 'a mapping'],
    ['an object whose validate is not a function', { validate: 'yes' }, 'a mapping'],
    ['null', null, 'null'],
  ])('%s', async (_label, apiKeys, kind) => {
    const error = await failureOf({ spec, apiKeys: apiKeys as never });
    expectSpecError(error, 'options', `"apiKeys" must be an object with a validate(key, context) method, or "unchecked"; got ${kind}`);
    expect(error.message).not.toContain('secret-looking');
  });

  it('even when no operation needs a key', async () => {
    const error = await failureOf({ spec: openApi2(), apiKeys: 'off' as never });
    expectSpecError(error, 'options', '"apiKeys" must be');
  });
});

describe('an apiKey definition whose place cannot be read fails start-up', () => {
  it.each([
    ['in: cookie', { type: 'apiKey', in: 'cookie', name: 'k' }, 'in must be "query" or "header" (where the API key is read), got "cookie"'],
    ['a name without in', { type: 'apiKey', name: 'k' }, 'in must be "query" or "header" (where the API key is read), got nothing'],
    ['in without a name', { type: 'apiKey', in: 'header' }, 'name (the API key\'s query parameter or header) must be a non-empty string, got nothing'],
    ['an empty name', { type: 'apiKey', in: 'query', name: '' }, 'name (the API key\'s query parameter or header) must be a non-empty string, got a string'],
  ])('%s', async (_label, definition, problem) => {
    const error = await failureOf({ spec: openApi2({}, { odd_key: definition }), apiKeys: 'unchecked' });
    expectSpecError(error, 'spec object', `security definition "odd_key": ${problem}`);
  });
});
