/**
 * One parameterised route serving two spec operations, one whose x-security replaces alpha's audiences and one that keeps
 * them: each request is held to the operation its decoded value reaches, also when its token was cached on the other
 * (every order), on Express and Fastify.
 */
import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, Apps, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { boot, expectRejected, withIssuers } from '../requirements/requirements-kit.js';

@Controller('files')
class FilesController {
  /** One route for both operations: each request is placed by the parameter the router decoded. */
  @Get(':name')
  file() {
    return { ok: true };
  }
}

describe.each(ADAPTERS)('x-security behind one parameterised route on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url: string;
  let alpha: (aud: string) => string;

  withIssuers(apps, async (issuers) => {
    alpha = (aud) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud));
    const spec = openApi2(issuers, {
      paths: {
        '/files/a': { get: { 'x-security': [{ alpha: { audiences: ['files-aud'] } }] } },
        '/files/b': { get: { security: [{ alpha: [] }] } },
      },
    });
    ({ url } = apps.track(await boot(adapter, { spec }, [FilesController])));
  });

  it('holds /files/a to the x-security audience, /files/b to the definition’s, whichever the cache saw first', async () => {
    const get = (path: string, token: string) => call(`${url}${path}`, { headers: bearer(token) });
    const replaced = alpha('files-aud');
    const own = alpha('alpha-audience');
    expect((await get('/files/a', replaced)).status).toBe(200);
    expectRejected(await get('/files/b', replaced), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
    expect((await get('/files/b', own)).status).toBe(200);
    expectRejected(await get('/files/a', own), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
    // Percent-encoded: the router's decoded value, not the text, names the operation.
    expectRejected(await get('/files/%61', own), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
    expect((await get('/files/c', alpha('someone-else'))).status).toBe(200);
  });
});
