/**
 * A custom header location's name as the in-place reader compares it with the request's names, over raw sockets on
 * Express and Fastify: ASCII letters in any case on either side, and nothing else folded. A spec naming a header with
 * the Kelvin sign (U+212A, which Unicode lower-cases to `k`) found a `k` header before issue 18 (`toLowerCase` on the
 * spec's name); now, as Envoy (`LowerCaseString`: ASCII only), it finds none.
 */
import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secured, UserInfo } from '../../lib/index.js';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import type { KeyServer } from '../support/key-server.js';
import { boot } from '../requirements/requirements-kit.js';
import { specOf } from '../verification/verification-kit.js';
import { ALPHA, AUDIENCE, alphaToken, keyServer, rawGet, serveAlphaKeys } from './review-kit.js';

@Secured('alpha')
@Controller('custom')
class CustomController {
  @Get()
  get(@UserInfo() info: unknown) {
    return { info };
  }
}

describe.each(ADAPTERS)('custom header location names on %s', (adapter: AdapterName) => {
  let server: KeyServer;
  let url: string;
  let close: () => Promise<void>;
  const good = alphaToken({ sub: 'custom-user' });
  const get = (line: string) => rawGet(url, '/custom', [line]);

  beforeAll(async () => {
    server = await keyServer();
    const spec = specOf({ alpha: { issuer: ALPHA, jwksUri: serveAlphaKeys(server), audiences: AUDIENCE } });
    const definitions = spec['securityDefinitions'] as Record<string, Record<string, unknown>>;
    definitions['alpha']!['x-google-jwt-locations'] = [{ header: 'X-Review-TOKEN' }, { header: 'X-\u212Aey' }];
    const started = await boot(adapter, { spec }, [CustomController]);
    url = started.url;
    close = () => started.app.close();
  });

  afterAll(async () => {
    await close();
    await server.stop();
  });

  // Test names carry the header name only: a token never reaches the output.
  it.each(['x-review-token', 'X-REVIEW-TOKEN', 'X-Review-Token'])('finds the token in %s', async (name) => {
    expect(await get(`${name}: ${good}`)).toEqual({ status: 200, code: null, sub: 'custom-user' });
  });

  it.each(['x-key', 'X-KEY'])('does not fold the spec\'s Kelvin sign onto k: no token in %s', async (name) => {
    expect(await get(`${name}: ${good}`)).toEqual({ status: 401, code: 'MISSING_TOKEN', sub: null });
  });
});
