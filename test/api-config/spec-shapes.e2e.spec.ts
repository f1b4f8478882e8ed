import { Controller, Get } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EndpointsAuthModule, type EndpointsAuthModuleOptions, type JwtClaims, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, Apps, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { CapturingLogger, TempDir, startWith } from './spec-kit.js';

/** No decorators: what each route requires comes from the spec alone. */
@Controller('books')
class BooksController {
  @Get()
  list(@UserInfo() user: JwtClaims | undefined) {
    return { iss: user?.iss ?? null, sub: user?.sub ?? null };
  }

  @Get('open')
  open(@UserInfo() user: JwtClaims | undefined) {
    return { iss: user?.iss ?? null };
  }
}

describe.each(ADAPTERS)('accepted spec shapes on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let dir: TempDir;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
    dir = new TempDir();
  });
  afterEach(() => apps.closeAll());
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
    dir?.remove();
  });

  /** Starts an app whose only module is `EndpointsAuthModule.forRoot(options)`, plus BooksController. */
  async function boot(options: string | EndpointsAuthModuleOptions, logger?: CapturingLogger): Promise<string> {
    const started = await startWith(
      { imports: [EndpointsAuthModule.forRoot(options)], controllers: [BooksController] },
      adapter,
      logger ?? false,
    );
    return apps.track(started).url;
  }

  const alphaToken = (audience: string | string[] = 'alpha-audience', overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, audience, overrides));
  const betaToken = (audience: string) => signJwt(issuers.beta.key, claims(issuers.beta.issuer, audience));

  /** The route answers 200 with the claims of `headers`' token, and 401 "Jwt is missing" with no token. */
  async function expectGuarded(url: string, headers: Record<string, string>, issuer = issuers.alpha.issuer) {
    const ok = await call(url, { headers });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ iss: issuer, sub: 'user-1' });
    const missing = await call(url);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
  }

  /** The fixture's OpenAPI 2 document (alpha, beta, api_key) with `security: alpha OR beta` at the top. */
  const alphaOrBeta = () => openApi2(issuers, { security: [{ alpha: [] }, { beta: [] }] });

  it('reads an OpenAPI 2 YAML file given as { spec: path } and verifies both of its issuers', async () => {
    const url = await boot({ spec: dir.write('openapi.yaml', stringify(alphaOrBeta())) });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
    // beta lists no audience: the file's `host` gives the default audience https://HOST.
    await expectGuarded(`${url}/books`, bearer(betaToken(`https://${issuers.service}`)), issuers.beta.issuer);
  });

  it('reads an OpenAPI 2 JSON file given as { spec: path }', async () => {
    const url = await boot({ spec: dir.write('openapi.json', JSON.stringify(alphaOrBeta(), null, 2)) });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
    await expectGuarded(`${url}/books`, bearer(betaToken(`https://${issuers.service}`)), issuers.beta.issuer);
  });

  it('reads a spec file given as the bare string of forRoot("openapi.yaml")', async () => {
    const url = await boot(dir.write('bare.yaml', stringify(alphaOrBeta())));
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
  });

  it('reads OpenAPI 3 components.securitySchemes with x-google-issuer, x-google-jwks_uri and x-google-audiences', async () => {
    const url = await boot({
      spec: {
        openapi: '3.0.3',
        info: { title: 'oas3', version: '1' },
        servers: [{ url: 'https://oas3.example.com', 'x-google-endpoint': {} }],
        components: {
          securitySchemes: {
            alpha: {
              type: 'oauth2',
              flows: { implicit: { authorizationUrl: 'https://alpha.example.com/auth', scopes: {} } },
              'x-google-issuer': issuers.alpha.issuer,
              'x-google-jwks_uri': issuers.alpha.jwksUri,
              'x-google-audiences': 'alpha-audience',
            },
            beta: { type: 'oauth2', 'x-google-issuer': issuers.beta.issuer, 'x-google-jwks_uri': issuers.beta.jwksUri },
          },
        },
        security: [{ alpha: [] }, { beta: [] }],
        paths: {},
      },
    });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
    // The server marked x-google-endpoint names the service: beta's default audience is https://oas3.example.com.
    await expectGuarded(`${url}/books`, bearer(betaToken('https://oas3.example.com')), issuers.beta.issuer);
    expect((await call(`${url}/books`, { headers: bearer(betaToken(`https://${issuers.service}`)) })).status).toBe(403);
  });

  it('reads the OpenAPI 3 x-google-auth form: issuer, jwksUri, a list of audiences and custom jwtLocations', async () => {
    const url = await boot({
      spec: {
        openapi: '3.0.3',
        info: { title: 'oas3 x-google-auth', version: '1' },
        components: {
          securitySchemes: {
            alpha: {
              type: 'openIdConnect',
              openIdConnectUrl: `${issuers.alpha.issuer}/.well-known/openid-configuration`,
              'x-google-auth': {
                issuer: issuers.alpha.issuer,
                jwksUri: issuers.alpha.jwksUri,
                audiences: ['first-audience', 'alpha-audience'],
                jwtLocations: [{ header: 'X-Alpha-Token', valuePrefix: 'Token ' }, { query: 'jwt' }],
              },
            },
          },
        },
        security: [{ alpha: [] }],
        paths: {},
      },
    });
    await expectGuarded(`${url}/books`, { 'x-alpha-token': `Token ${alphaToken()}` });
    await expectGuarded(`${url}/books`, { 'x-alpha-token': `Token ${alphaToken('first-audience')}` });
    expect((await call(`${url}/books?jwt=${alphaToken()}`)).status).toBe(200);
    // Custom locations replace ESP's defaults: a Bearer header is not looked at any more.
    const bearerOnly = await call(`${url}/books`, { headers: bearer(alphaToken()) });
    expect(bearerOnly.status).toBe(401);
    expect(bearerOnly.body).toMatchObject({ errorCode: 'MISSING_TOKEN' });
    expect((await call(`${url}/books`, { headers: { 'x-alpha-token': `Token ${alphaToken('other-audience')}` } })).status).toBe(403);
  });

  it('reads the legacy x-issuer and x-jwks_uri extensions', async () => {
    const url = await boot({
      spec: {
        swagger: '2.0',
        info: { title: 'legacy', version: '1' },
        host: issuers.service,
        securityDefinitions: {
          legacy: {
            type: 'oauth2',
            flow: 'implicit',
            authorizationUrl: '',
            'x-issuer': issuers.alpha.issuer,
            'x-jwks_uri': issuers.alpha.jwksUri,
            'x-google-audiences': 'alpha-audience',
          },
        },
        security: [{ legacy: [] }],
        paths: {},
      },
    });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
  });

  it('warns about an empty requirement {} among the alternatives and ignores it, so a token is still required', async () => {
    const logger = new CapturingLogger();
    const url = await boot({ spec: openApi2(issuers, { security: [{ alpha: [] }, {}] }) }, logger);
    const warnings = logger.messages('warn').filter((line) => line.includes('the empty requirement {}'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('security: the empty requirement {} in security[1] is ignored');
    expect(warnings[0]).toContain('{ optional: true }');
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
  });

  it('warns about an empty requirement {} in an operation’s security, naming the operation', async () => {
    const logger = new CapturingLogger();
    const url = await boot(
      { spec: openApi2(issuers, { paths: { '/books': { get: { security: [{}, { beta: [] }] } } } }) },
      logger,
    );
    expect(logger.messages('warn')).toContainEqual(
      expect.stringContaining('paths["/books"].get: the empty requirement {} in security[0] is ignored'),
    );
    await expectGuarded(`${url}/books`, bearer(betaToken(`https://${issuers.service}`)), issuers.beta.issuer);
  });

  // The key itself is left unchecked here on purpose (test/api-keys checks it): only the JWT side is under test.
  it('ignores apiKey definitions for JWT purposes but lets security name them', async () => {
    const url = await boot({
      spec: openApi2(issuers, {
        // apiKey ANDed with one JWT definition is a plain JWT requirement, plus the key (ESP: Service Control).
        security: [{ api_key: [], alpha: [] }],
        // An operation naming only apiKey definitions has no JWT check at all (ESP rule R10).
        paths: { '/books/open': { get: { security: [{ api_key: [] }] } } },
      }),
      apiKeys: 'unchecked',
    });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
    const open = await call(`${url}/books/open`);
    expect(open.status).toBe(200);
    expect(open.body).toEqual({ iss: null });
  });

  it('still requires the JWT when an apiKey definition is offered as an alternative, as ESP drops apiKey names', async () => {
    const url = await boot({ spec: openApi2(issuers, { security: [{ api_key: [] }, { alpha: [] }] }), apiKeys: 'unchecked' });
    await expectGuarded(`${url}/books`, bearer(alphaToken()));
  });

  describe('definitions without x-google-audiences', () => {
    /** alpha without audiences, in a document without `host`. */
    const noHost = () => {
      const { host: _, ...document } = openApi2(issuers, { security: [{ alpha: [] }] });
      const definitions = document.securityDefinitions as Record<string, Record<string, unknown>>;
      const { 'x-google-audiences': __, ...alpha } = definitions['alpha'];
      const { 'x-google-audiences': ___, ...beta } = definitions['beta'];
      return { ...document, securityDefinitions: { alpha, beta } };
    };

    it('accept https://SERVICE_NAME as the audience when the serviceName option names the service', async () => {
      const url = await boot({ spec: noHost(), serviceName: 'orders.example.com' });
      await expectGuarded(`${url}/books`, bearer(alphaToken('https://orders.example.com')));
      const wrong = await call(`${url}/books`, { headers: bearer(alphaToken('alpha-audience')) });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toMatchObject({ errorCode: 'AUDIENCE_NOT_ALLOWED' });
    });

    it('let the serviceName option override the document’s host', async () => {
      const { securityDefinitions } = noHost();
      const url = await boot({ spec: { ...noHost(), host: 'from-host.example.com', securityDefinitions }, serviceName: 'orders.example.com' });
      await expectGuarded(`${url}/books`, bearer(alphaToken('https://orders.example.com')));
      expect((await call(`${url}/books`, { headers: bearer(alphaToken('https://from-host.example.com')) })).status).toBe(403);
    });

    it('accept any audience, or none, with disableServiceNameAudienceCheck: true', async () => {
      const url = await boot({ spec: noHost(), disableServiceNameAudienceCheck: true });
      await expectGuarded(`${url}/books`, bearer(alphaToken('anything-at-all')));
      await expectGuarded(`${url}/books`, bearer(alphaToken('ignored', { aud: undefined })));
    });
  });
});
