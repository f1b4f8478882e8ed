/**
 * The gRPC Bookstore of the sample, started as `npm start` starts it (beside the REST app, over the same store), and
 * called by a real grpc-js client over 127.0.0.1 with tokens of the embedded service account.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBookstore } from '../../sample/bootstrap.js';
import { BOOKSTORE_PACKAGE, BOOKSTORE_PROTO, LOADER_OPTIONS } from '../../sample/grpc/bookstore-proto.js';
import { startGrpcBookstore } from '../../sample/grpc/grpc-bootstrap.js';
import { LocalServiceAccount } from '../../sample/grpc/local-service-account.js';
import { BookstoreService } from '../../sample/shelves/bookstore.service.js';
import { bearer, call } from '../support/app.js';
import { bearerMetadata, unary } from '../support/grpc.js';

const AUDIENCE = 'https://bookstore.endpoints.YOUR-PROJECT.cloud.goog';
const OK = grpc.status.OK;
const { UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND } = grpc.status;

describe('the gRPC Bookstore sample', () => {
  let rest: INestApplication;
  let restUrl: string;
  let restToken: string;
  let app: INestMicroservice;
  let client: grpc.Client;
  let token: string;
  /** A token of the embedded service account with `claims` changed. */
  const accountToken = (claims: Record<string, unknown>) => app.get(LocalServiceAccount).mint(AUDIENCE, claims);
  const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;

  beforeAll(async () => {
    ({ app: rest, url: restUrl, token: restToken } = await startBookstore(0, undefined, { logger: false }));
    let address: string;
    ({ app, address, token } = await startGrpcBookstore(0, rest.get(BookstoreService), { logger: false }));
    const definition = protoLoader.loadSync(BOOKSTORE_PROTO, LOADER_OPTIONS);
    const Bookstore = grpc.makeGenericClientConstructor(definition[`${BOOKSTORE_PACKAGE}.Bookstore`] as grpc.ServiceDefinition, 'Bookstore');
    client = new Bookstore(address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await rest?.close();
  });

  it('lists the shelves for the embedded service account’s token (RSA key, X.509 certificate map on 127.0.0.1)', async () => {
    expect(await unary(client, 'ListShelves', {}, bearerMetadata(token))).toEqual({
      code: OK,
      details: 'OK',
      reply: { shelves: [{ id: 1, theme: 'Fiction' }, { id: 3, theme: 'Fantasy' }] },
    });
  });

  it.each([
    ['no token', () => ({}), UNAUTHENTICATED, 'Jwt is missing'],
    ['an expired token', () => bearerMetadata(accountToken({ iat: hourAgo() - 60, exp: hourAgo() })), UNAUTHENTICATED, 'Jwt is expired'],
    ['a token of another issuer (the REST sample’s)', () => bearerMetadata(restToken), UNAUTHENTICATED, 'Jwt issuer is not configured'],
    ['a token of the account from another issuer', () => bearerMetadata(accountToken({ iss: 'someone@else.invalid' })), UNAUTHENTICATED, 'Jwt issuer is not configured'],
    ['a token for another audience', () => bearerMetadata(accountToken({ aud: 'https://elsewhere.example.com' })), PERMISSION_DENIED, 'Audiences in Jwt are not allowed'],
  ])('refuses %s as ESP does, with its message', async (_label, metadata, code, details) => {
    expect(await unary(client, 'ListShelves', {}, metadata())).toEqual({ code, details });
  });

  it('lets ListBooks through without a token (allow_without_credential, the last matching rule), never with a bad one', async () => {
    expect(await unary(client, 'ListBooks', { shelf: 1 })).toEqual({
      code: OK,
      details: 'OK',
      reply: { books: [{ id: 2, author: 'Neal Stephenson', title: 'REAMDE' }] },
    });
    expect((await unary(client, 'ListBooks', { shelf: 1 }, bearerMetadata(token))).code).toBe(OK);
    expect(await unary(client, 'ListBooks', { shelf: 1 }, bearerMetadata(restToken))).toEqual({
      code: UNAUTHENTICATED,
      details: 'Jwt issuer is not configured',
    });
  });

  it('serves the REST app’s store: a shelf created over REST is read, stocked and deleted over gRPC', async () => {
    const created = await call(`${restUrl}/shelves`, { method: 'POST', headers: bearer(restToken), body: { theme: 'Poetry' } });
    const shelf = created.body.id as number;
    const auth = bearerMetadata(token);
    expect(await unary(client, 'GetShelf', { shelf }, auth)).toMatchObject({ code: OK, reply: { id: shelf, theme: 'Poetry' } });
    const book = await unary(client, 'CreateBook', { shelf, book: { author: 'Mary Oliver', title: 'Devotions' } }, auth);
    expect(book).toMatchObject({ code: OK, reply: { author: 'Mary Oliver', title: 'Devotions' } });
    expect((await call(`${restUrl}/shelves/${shelf}/books`, { headers: bearer(restToken) })).body).toEqual({ books: [book.reply] });
    expect(await unary(client, 'DeleteShelf', { shelf })).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
    expect((await unary(client, 'DeleteShelf', { shelf }, auth)).code).toBe(OK);
    expect(await unary(client, 'GetShelf', { shelf }, auth)).toEqual({ code: NOT_FOUND, details: `Shelf ${shelf} not found` });
  });
});
