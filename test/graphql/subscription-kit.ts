/**
 * The subscription app (Apollo with graphql-ws on Express, or Mercurius's subscription server on Fastify) and a raw
 * client of the `graphql-transport-ws` protocol over `ws` (which both speak), for exact frames.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import WebSocket from 'ws';
import type { Issuers } from '../fixtures/issuers.js';
import { type Apps, startAppWith } from '../support/app.js';
import { ManualClock } from '../support/manual-clock.js';
import { graphqlSpec } from './graphql-kit.js';
import {
  EndpointsAuthModule,
  type EndpointsAuthModuleOptions,
  EndpointsAuthSubscriptions,
  type GraphqlWsAuthOptions,
  Public,
  Secured,
  UserInfo,
} from '../../lib/index.js';

/** An endless subscription source: one value, then nothing until graphql-ws ends it (counted in `ended`). */
export class Ticker implements AsyncIterableIterator<Record<string, string>> {
  static ended = 0;
  private sent = false;
  private finish?: (result: IteratorResult<Record<string, string>>) => void;

  constructor(private readonly value: Record<string, string>) {}

  next(): Promise<IteratorResult<Record<string, string>>> {
    if (!this.sent) {
      this.sent = true;
      return Promise.resolve({ value: this.value, done: false });
    }
    return new Promise((resolve) => (this.finish = resolve));
  }

  return(): Promise<IteratorResult<Record<string, string>>> {
    Ticker.ended++;
    this.finish?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

@Resolver()
export class TicksResolver {
  @Query(() => String)
  hello(): string {
    return 'hello';
  }

  @Secured('alpha')
  @Subscription(() => String)
  ticks(@UserInfo('sub') sub: string) {
    return new Ticker({ ticks: `tick for ${sub}` });
  }

  @Secured('beta')
  @Subscription(() => String)
  betaTicks() {
    return new Ticker({ betaTicks: 'beta tick' });
  }

  /** Undecorated: what the spec requires of the GraphQL endpoint's path. */
  @Subscription(() => String)
  endpointTicks(@UserInfo('sub') sub: string) {
    return new Ticker({ endpointTicks: `endpoint tick for ${sub}` });
  }

  @Public()
  @Subscription(() => String)
  publicTicks(@UserInfo('sub') sub: string | undefined) {
    return new Ticker({ publicTicks: `public tick for ${sub ?? 'nobody'}` });
  }
}

/** Where subscriptions run: Apollo's graphql-ws server, or Mercurius's own. */
export type SubscriptionDriver = 'apollo' | 'mercurius';

/** The GraphQL module of `driver`, its subscriptions authenticated by `EndpointsAuthSubscriptions` with `ws`. */
function subscriptionGraphqlModule(driver: SubscriptionDriver, ws: GraphqlWsAuthOptions): DynamicModule {
  return driver === 'apollo'
    ? GraphQLModule.forRootAsync<ApolloDriverConfig>({
        driver: ApolloDriver,
        inject: [EndpointsAuthSubscriptions],
        useFactory: (auth: EndpointsAuthSubscriptions) => ({
          autoSchemaFile: true,
          subscriptions: { 'graphql-ws': auth.graphqlWs(ws) },
        }),
      })
    : GraphQLModule.forRootAsync<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        inject: [EndpointsAuthSubscriptions],
        useFactory: (auth: EndpointsAuthSubscriptions) => ({ autoSchemaFile: true, subscription: auth.mercurius(ws) }),
      });
}

/** The app: the library (global, so the GraphQL module's factory can inject it), the driver with its subscriptions. */
export function subscriptionAppModule(options: EndpointsAuthModuleOptions, ws: GraphqlWsAuthOptions = {}, driver: SubscriptionDriver = 'apollo'): DynamicModule {
  @Module({})
  class SubscriptionAppModule {}
  return {
    module: SubscriptionAppModule,
    imports: [EndpointsAuthModule.forRoot({ ...options, isGlobal: true }), subscriptionGraphqlModule(driver, ws)],
    providers: [TicksResolver],
  };
}

/** How a socket closed. */
export interface Closed {
  code: number;
  reason: string;
}

/** A graphql-ws client that keeps every frame it receives and how the socket closed. */
export class WsClient {
  readonly frames: Record<string, unknown>[] = [];
  readonly closed: Promise<Closed>;
  private waiting: (() => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      this.waiting.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.waiting.splice(0).forEach((wake) => wake());
      }),
    );
  }

  /** Opens a socket to `${url}/graphql${search}` and sends `connection_init` with `params`. */
  static async connect(url: string, params?: unknown, search = ''): Promise<WsClient> {
    const socket = new WebSocket(`${url.replace('http://', 'ws://')}/graphql${search}`, 'graphql-transport-ws');
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    client.send({ type: 'connection_init', ...(params !== undefined ? { payload: params } : {}) });
    return client;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Subscribes with `id` to `query`. */
  subscribe(id: string, query: string): void {
    this.send({ id, type: 'subscribe', payload: { query } });
  }

  /** The frame at `index` once it has arrived; rejects if the socket closes first. */
  async frame(index: number): Promise<Record<string, unknown>> {
    while (this.frames.length <= index) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed before frame ${index}: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.frames[index]!;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * What a subscription test boots per case: the app with `options` on `driver` (Apollo on Express, Mercurius on
 * Fastify) with a clock of its own, a connect function whose clients `clients` tracks (the test closes them), and the
 * app's URL; the app is tracked by `apps`.
 */
export function subscriptionStarter(apps: Apps, clients: WsClient[], issuers: () => Issuers, driver: SubscriptionDriver = 'apollo') {
  return async (options: GraphqlWsAuthOptions = {}) => {
    const clock = new ManualClock();
    const module = subscriptionAppModule({ spec: graphqlSpec(issuers()) }, options, driver);
    const { url } = apps.track(await startAppWith(module, driver === 'apollo' ? 'express' : 'fastify', { keyClock: clock }));
    const connect = async (params?: unknown, search = '') => {
      const client = await WsClient.connect(url, params, search);
      clients.push(client);
      return client;
    };
    return { clock, connect, url };
  };
}
