/** A hybrid app (HTTP and gRPC in one Nest app): the global guard protects both, with one module instance. */
import type * as grpc from '@grpc/grpc-js';
import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, type GrpcOptions, Transport } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthGuard, EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { bearer, call } from '../support/app.js';
import { TEST_PROTO, bearerMetadata, freePort, grpcClients, unary } from '../support/grpc.js';
import { claims, signJwt } from '../support/keys.js';
import { OK, UNAUTHENTICATED, replyOf } from './grpc-kit.js';

@Secured('alpha')
@Controller('shelves')
class HybridController {
  @Get()
  list(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @GrpcMethod('Shelves', 'ListShelves')
  listGrpc(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('ListShelves', user);
  }
}

/** Health.Check with the guard applied by hand, as a hybrid app without `inheritAppConfig` needs. */
@Secured('alpha')
@UseGuards(EndpointsAuthGuard)
@Controller()
class GuardedHealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('Check', user);
  }
}

describe.each([true, false])('a hybrid HTTP + gRPC app (inheritAppConfig: %s)', (inheritAppConfig) => {
  let issuers: Issuers;
  let app: INestApplication;
  let url: string;
  let shelves: grpc.Client;
  let health: grpc.Client;
  const token = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [HybridController, GuardedHealthController] })
    class HybridModule {}
    app = await NestFactory.create(HybridModule, { logger: false });
    const address = `127.0.0.1:${await freePort()}`;
    app.connectMicroservice<GrpcOptions>(
      { transport: Transport.GRPC, options: { package: 'test.auth', protoPath: TEST_PROTO, url: address } },
      { inheritAppConfig },
    );
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    const clients = grpcClients(address);
    shelves = clients.get('test.auth.Shelves')!;
    health = clients.get('test.auth.Health')!;
  });
  afterAll(async () => {
    shelves?.close();
    health?.close();
    await app?.close();
    await issuers?.server.stop();
  });

  it('guards the HTTP route always', async () => {
    expect((await call(`${url}/shelves`)).status).toBe(401);
    expect((await call(`${url}/shelves`, { headers: bearer(token()) })).body).toEqual({ sub: 'user-1' });
  });

  it(
    inheritAppConfig
      ? 'guards the gRPC method with the global guard'
      : 'does not reach the gRPC method with the global guard (Nest applies global guards to a connected microservice only with inheritAppConfig)',
    async () => {
      const unguarded = await unary(shelves, 'ListShelves');
      if (inheritAppConfig) expect(unguarded).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
      else expect(unguarded).toMatchObject({ code: OK, reply: { verified: false } });
      expect(await unary(shelves, 'ListShelves', {}, bearerMetadata(token()))).toMatchObject({ code: OK, reply: { verified: inheritAppConfig } });
    },
  );

  it('guards a gRPC controller that applies the guard itself (@UseGuards), with or without inheritAppConfig', async () => {
    expect(await unary(health, 'Check')).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
    expect(await unary(health, 'Check', {}, bearerMetadata(token()))).toMatchObject({ code: OK, reply: { sub: 'user-1' } });
  });
});
