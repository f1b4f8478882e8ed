/**
 * API keys under a gRPC service configuration: behind Service Control (the configuration has `usage` or `control`),
 * ESP requires a key for every method a `usage.rules` entry does not allow (`allow_unregistered_calls: true`); a
 * configuration with neither is one ESP runs without Service Control, which checks no key. Over gRPC (x-api-key
 * metadata, a real grpc-js client) and over HTTP routes bound by `http.rules`.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, Get, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, UserInfo } from '../../lib/index.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { OK, UNAUTHENTICATED, replyOf } from '../grpc/grpc-kit.js';
import { Apps, boot } from '../requirements/requirements-kit.js';
import { CapturingLogger, startWith, startupError } from '../api-config/spec-kit.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { ADAPTERS, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { GOOD_KEY, MISSING_MESSAGE, recordingValidator } from './api-keys-kit.js';

@Controller()
class HealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Check', user);
  }

  @GrpcMethod('Health', 'Ping')
  ping(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Ping', user);
  }
}

@Controller()
class HttpHealthController {
  @Get('check')
  check(@UserInfo() user?: JwtClaims) {
    return { handler: 'check', iss: user?.iss ?? null };
  }

  @Get('ping')
  ping(@UserInfo() user?: JwtClaims) {
    return { handler: 'ping', iss: user?.iss ?? null };
  }

  @Get('status')
  status(@UserInfo() user?: JwtClaims) {
    return { handler: 'status', iss: user?.iss ?? null };
  }
}

/** Check needs an alpha token, Ping nothing; `extra` adds usage or control. */
function serviceConfig(issuers: Issuers, extra: Record<string, unknown> = {}) {
  return {
    type: 'google.api.Service',
    name: issuers.service,
    authentication: {
      providers: [{ id: 'alpha', issuer: issuers.alpha.issuer, jwks_uri: issuers.alpha.jwksUri, audiences: 'alpha-audience' }],
      rules: [{ selector: 'test.auth.Health.Check', requirements: [{ provider_id: 'alpha' }] }],
    },
    http: {
      rules: [
        { selector: 'test.auth.Health.Check', get: '/check' },
        { selector: 'test.auth.Health.Ping', get: '/ping' },
      ],
    },
    ...extra,
  };
}

const PING_WITHOUT_KEY = { usage: { rules: [{ selector: 'test.auth.Health.Ping', allow_unregistered_calls: true }] } };

describe('usage.rules over gRPC', () => {
  let issuers: Issuers;
  let app: INestMicroservice;
  let client: grpc.Client;
  const validator = recordingValidator('sync');
  const alpha = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: serviceConfig(issuers, PING_WITHOUT_KEY), apiKeys: validator })], controllers: [HealthController] })
    class GrpcModule {}
    const started = await startGrpcApp(GrpcModule);
    app = started.app;
    client = grpcClients(started.address).get('test.auth.Health')!;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await issuers?.server.stop();
  });

  it('a method no rule allows needs its token and then a key', async () => {
    expect(await unary(client, 'Check', {}, bearerMetadata(alpha()))).toEqual({ code: UNAUTHENTICATED, details: MISSING_MESSAGE });
    const ok = await unary(client, 'Check', {}, { ...bearerMetadata(alpha()), 'x-api-key': GOOD_KEY });
    expect(ok.code).toBe(OK);
  });

  it('a method a rule allows (allow_unregistered_calls: true) needs no key', async () => {
    expect((await unary(client, 'Ping', {}, {})).code).toBe(OK);
  });
});

describe.each(ADAPTERS)('usage.rules over HTTP on %s', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('a route bound to a method no rule allows needs a key; one a rule allows does not; an unbound route does', async () => {
    const validator = recordingValidator('async');
    const { url } = apps.track(await boot(adapter, { spec: serviceConfig(issuers, PING_WITHOUT_KEY), apiKeys: validator }, [HttpHealthController]));
    expect((await call(`${url}/ping`)).body).toEqual({ handler: 'ping', iss: null });
    expect((await call(`${url}/status`)).body.errorCode).toBe('API_KEY_MISSING');
    expect((await call(`${url}/status?key=${GOOD_KEY}`)).body).toEqual({ handler: 'status', iss: null });
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    expect((await call(`${url}/check`, { headers: { authorization: `Bearer ${token}` } })).body.errorCode).toBe('API_KEY_MISSING');
    const ok = await call(`${url}/check?key=${GOOD_KEY}`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.body).toEqual({ handler: 'check', iss: issuers.alpha.issuer });
  });

  it('a configuration with neither usage nor control (ESP without Service Control) asks for no key', async () => {
    const { url } = apps.track(await boot(adapter, { spec: serviceConfig(issuers) }, [HttpHealthController]));
    expect((await call(`${url}/status`)).body).toEqual({ handler: 'status', iss: null });
  });
});

describe('usage.rules at start-up', () => {
  let issuers: Issuers;
  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    await issuers?.server.stop();
  });

  it('behind Service Control (control set, no usage) without apiKeys: a start-up error naming what needs a key and the ways out', async () => {
    const spec = serviceConfig(issuers, { control: { environment: 'servicecontrol.googleapis.com' } });
    const error = await startupError({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [HttpHealthController] });
    expect(error.message).toContain('GET /check');
    expect(error.message).toContain('every gRPC method (usage.rules: allow_unregistered_calls is false unless set)');
    expect(error.message).toContain("'unchecked'");
  });

  it("apiKeys: 'unchecked' starts, warns once with what is left unchecked, and asks for no key", async () => {
    const logger = new CapturingLogger();
    const spec = serviceConfig(issuers, PING_WITHOUT_KEY);
    const { app, url } = await startWith({ imports: [EndpointsAuthModule.forRoot({ spec, apiKeys: 'unchecked' })], controllers: [HttpHealthController] }, 'express', logger);
    try {
      const warnings = logger.messages('warn').filter((message) => message.includes('API keys are not checked'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('every gRPC method except test.auth.Health.Ping');
      expect((await call(`${url}/status`)).body).toEqual({ handler: 'status', iss: null });
    } finally {
      await app.close();
    }
  });

  it.each([
    [{ usage: { rules: {} } }, 'usage.rules must be a list'],
    [{ usage: { rules: [{ selector: 'a.B.*.C' }] } }, 'usage.rules[0]'],
    [{ usage: { rules: [{ selector: 'a.B.C', allow_unregistered_calls: 'yes' }] } }, 'allow_unregistered_calls must be a boolean'],
  ])('%j is a start-up error', async (extra, message) => {
    const error = await startupError({ imports: [EndpointsAuthModule.forRoot({ spec: serviceConfig(issuers, extra), apiKeys: 'unchecked' })] });
    expect(error.message).toContain(message);
  });
});
