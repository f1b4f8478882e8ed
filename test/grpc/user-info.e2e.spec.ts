/**
 * `X-Endpoint-API-UserInfo` in a gRPC microservice, called by a real grpc-js client over 127.0.0.1: ESPv2 forwards the
 * verified caller as that metadata key, and a client-sent one must never reach a handler (the call's own `Metadata`,
 * which is what handlers read, not the guard's view of it).
 */
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { Ctx, GrpcMethod, Payload } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo, type UserInfoHeaderFormat } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { claims, signJwt } from '../support/keys.js';
import { OK } from './grpc-kit.js';

const PROTO = fileURLToPath(new URL('./fixtures/caller.proto', import.meta.url));
const HEADER = 'x-endpoint-api-userinfo';

/** What the handler's own metadata holds under the header. */
const seen = (metadata: grpc.Metadata, user: JwtClaims | undefined) => ({
  values: metadata.get(HEADER).map(String),
  verified: user !== undefined,
});

@Controller()
class CallerController {
  @Secured('alpha')
  @GrpcMethod('Caller', 'Secured')
  secured(@Payload() _request: unknown, @Ctx() metadata: grpc.Metadata, @UserInfo() user: JwtClaims) {
    return seen(metadata, user);
  }

  @Public()
  @GrpcMethod('Caller', 'Open')
  open(@Payload() _request: unknown, @Ctx() metadata: grpc.Metadata, @UserInfo() user: JwtClaims | undefined) {
    return seen(metadata, user);
  }
}

describe.each([[undefined], ['esp'], [false]] as [UserInfoHeaderFormat | undefined][])(
  'X-Endpoint-API-UserInfo over gRPC (userInfoHeader %s)',
  (format) => {
    let issuers: Issuers;
    let app: INestMicroservice;
    let client: grpc.Client;
    const token = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'a@example.com' }));
    const forged = { [HEADER]: Buffer.from('{"iss":"https://forged.example.com","sub":"admin"}').toString('base64url') };

    beforeAll(async () => {
      issuers = await startIssuers();
      const options = format === undefined ? {} : { userInfoHeader: format };
      @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), ...options })], controllers: [CallerController] })
      class CallerModule {}
      let address: string;
      ({ app, address } = await startGrpcApp(CallerModule, PROTO, 'test.caller'));
      client = grpcClients(address, PROTO).get('test.caller.Caller')!;
    });
    afterAll(async () => {
      client?.close();
      await app?.close();
      await issuers?.server.stop();
    });

    it('hands the handler the verified caller in the call’s metadata, as the option says', async () => {
      const sent = token();
      const answer = await unary(client, 'Secured', {}, bearerMetadata(sent));
      expect(answer.code).toBe(OK);
      const values = answer.reply!.values as string[];
      if (format === false) expect(values).toEqual([]);
      else if (format === 'esp') {
        expect(values).toHaveLength(1);
        expect(JSON.parse(Buffer.from(values[0], 'base64url').toString('utf8')).issuer).toBe(issuers.alpha.issuer);
      } else expect(values).toEqual([sent.split('.')[1]]);
    });

    it('removes a client-sent header from the call’s metadata, on a public method and on a verified one', async () => {
      expect(await unary(client, 'Open', {}, forged)).toEqual({ code: OK, details: 'OK', reply: { values: [], verified: false } });
      const answer = await unary(client, 'Secured', {}, { ...forged, ...bearerMetadata(token()) });
      expect(answer.code).toBe(OK);
      expect(answer.reply!.values).not.toContain(forged[HEADER]);
      expect((answer.reply!.values as string[]).length).toBe(format === false ? 0 : 1);
    });
  },
);
