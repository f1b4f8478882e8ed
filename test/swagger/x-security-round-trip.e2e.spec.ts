/**
 * x-security through the Swagger helpers: `applyEndpointsSecurity` writes the audiences a route's requirement puts in
 * place of a definition's own as the operation's `x-security`, so the OpenAPI 2 document read back gives every route
 * the same requirement, audiences included, and real requests the same statuses; the OpenAPI 3 form, where Endpoints
 * documents no x-security, is refused rather than written without them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, RouteRequirements, applyEndpointsSecurity, toEndpointsDocument, writeEndpointsDocument } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';

@Controller()
class RoutesController {
  @Get('a')
  a() {
    return 'a';
  }

  @Get('own')
  own() {
    return 'own';
  }

  @Get('unlisted')
  unlisted() {
    return 'unlisted';
  }
}

function specOf(issuers: Issuers) {
  return openApi2(issuers, {
    security: [{ beta: [] }],
    'x-security': [{ alpha: { audiences: ['api-audience'] } }],
    paths: {
      '/a': { get: { 'x-security': [{ alpha: { audiences: ['audience-a', 'https://audience-a2/'] } }] } },
      '/own': { get: { security: [{ alpha: [] }] } },
    },
  });
}

describe.each(ADAPTERS)('x-security through the Swagger round trip on %s', (adapter) => {
  const apps = new Apps();
  let issuers: Issuers;
  let directory: string;
  let original: { app: INestApplication; url: string };
  let loaded: { app: INestApplication; url: string };
  let document: ReturnType<typeof SwaggerModule.createDocument>;

  beforeAll(async () => {
    issuers = await startIssuers();
    directory = mkdtempSync(join(tmpdir(), 'endpoints-x-security-'));
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: specOf(issuers) })], controllers: [RoutesController] })
    class OriginalModule {}
    original = apps.track(await startApp(OriginalModule, adapter));
    document = applyEndpointsSecurity(original.app, SwaggerModule.createDocument(original.app, new DocumentBuilder().build()));
    const file = join(directory, 'openapi.yaml');
    writeEndpointsDocument(original.app, document, file, { openapi: '2.0' });
    @Module({ imports: [EndpointsAuthModule.forRoot(file)], controllers: [RoutesController] })
    class LoadedModule {}
    loaded = apps.track(await startApp(LoadedModule, adapter));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('writes x-security on the operations whose requirement replaces audiences, and only there', () => {
    const operation = (path: string) => (document.paths[path] as Record<string, Record<string, unknown>>)['get'];
    expect(operation('/a')).toMatchObject({ security: [{ alpha: [] }], 'x-security': [{ alpha: { audiences: ['audience-a', 'audience-a2'] } }] });
    expect(operation('/unlisted')).toMatchObject({ security: [{ beta: [] }, { alpha: [] }], 'x-security': [{ alpha: { audiences: ['api-audience'] } }] });
    expect(operation('/own')['x-security']).toBeUndefined();
  });

  it('the OpenAPI 2 document read back gives every route the same requirement, audiences included', () => {
    const table = (app: INestApplication) => app.get(RouteRequirements).routeTable().map(({ method, path, requirement }) => ({ method, path, requirement }));
    expect(table(loaded.app)).toEqual(table(original.app));
    expect(table(original.app)).toContainEqual({
      method: 'GET',
      path: '/a',
      requirement: { providers: ['alpha'], optional: false, audiences: new Map([['alpha', ['audience-a', 'audience-a2']]]) },
    });
  });

  it('real requests get the same statuses from both apps', async () => {
    const alphaFor = (aud: string) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud));
    const beta = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`));
    const tries: [string, string][] = [
      ['/a', alphaFor('audience-a')],
      ['/a', alphaFor('audience-a2')],
      ['/a', alphaFor('alpha-audience')],
      ['/own', alphaFor('alpha-audience')],
      ['/own', alphaFor('audience-a')],
      ['/unlisted', alphaFor('api-audience')],
      ['/unlisted', alphaFor('audience-a')],
      ['/unlisted', beta],
    ];
    const statuses = async (url: string) => Promise.all(tries.map(async ([path, token]) => (await call(`${url}${path}`, { headers: bearer(token) })).status));
    const before = await statuses(original.url);
    expect(before).toEqual([200, 200, 403, 200, 403, 200, 403, 200]);
    expect(await statuses(loaded.url)).toEqual(before);
  });

  it('refuses the OpenAPI 3 form, which has no documented place for x-security', () => {
    expect(() => toEndpointsDocument(document, { openapi: '3.0', host: issuers.service })).toThrow(
      new TypeError(
        'toEndpointsDocument: GET /a has x-security (audiences that replace a definition\'s own), which Endpoints documents for OpenAPI 2 only; write openapi: "2.0"',
      ),
    );
  });
});
