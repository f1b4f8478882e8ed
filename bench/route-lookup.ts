// Micro-benchmark of the route table alone: what RouteRequirements.requirementFor costs per request for the same
// route (`GET /hello`) in an app of one route and one spec path, and in one of 1,000 more routes and spec paths
// (every tenth with a literal path under it), interleaved A B A B so drift hits both. The lookup must not grow with
// the app or the spec. Run alone: node dist-bench/bench/route-lookup.js [--calls 1000000] [--rounds 5]
import 'reflect-metadata';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { parseArgs } from 'node:util';
import { EndpointsAuthModule, type HttpRequestLike, RouteRequirements } from '../lib/index.js';
import { manyRoutes } from './many-routes.js';
import { benchSpec } from './tokens.js';

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return 'hello';
  }
}

const { values } = parseArgs({ options: { calls: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const calls = Number(values.calls);
const rounds = Number(values.rounds);

/** An app of `extra` more routes and spec paths, and a function that asks its table about `GET /hello` `count` times. */
async function lookup(extra: number): Promise<{ run: (count: number) => number; close: () => Promise<void> }> {
  const controllers: Type<unknown>[] = [HelloController, ...(extra > 0 ? [manyRoutes(extra)] : [])];
  // The key server is never reached: the table is built at start-up and no token is verified here.
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec: benchSpec('http://127.0.0.1:9/jwks', extra) })], controllers })
  class LookupModule {}
  const app = await NestFactory.create(LookupModule, { logger: false });
  await app.init();
  const routes = app.get(RouteRequirements);
  // What the guard hands the table for an Express request routed to /hello.
  const request: HttpRequestLike = { method: 'GET', headers: {}, route: { path: '/hello' }, params: {} };
  const context = new ExecutionContextHost([request, {}, () => undefined], HelloController, HelloController.prototype.hello);
  context.setType('http');
  const run = (count: number) => {
    let found = 0;
    for (let index = 0; index < count; index++) if (routes.requirementFor(context, request)) found++;
    return found;
  };
  return { run, close: () => app.close() };
}

async function main(): Promise<void> {
  const small = await lookup(0);
  const large = await lookup(1000);
  small.run(calls / 5);
  large.run(calls / 5);
  const ns: Record<'one route' | '1,000 routes', number[]> = { 'one route': [], '1,000 routes': [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, subject] of [['one route', small], ['1,000 routes', large]] as const) {
      const start = process.hrtime.bigint();
      if (subject.run(calls) !== calls) throw new Error(`${name}: GET /hello lost its requirement`);
      ns[name].push(Number(process.hrtime.bigint() - start) / calls);
    }
  }
  await small.close();
  await large.close();
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log('| app | ns per lookup, each round | median |');
  console.log('|---|---|---:|');
  for (const [name, list] of Object.entries(ns)) console.log(`| ${name} | ${list.map((n) => n.toFixed(0)).join(' · ')} | ${median(list).toFixed(0)} |`);
  console.log(`\n1,000 routes ÷ one route: ${(median(ns['1,000 routes']) / median(ns['one route'])).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error('route-lookup failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
