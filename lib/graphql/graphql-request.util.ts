import type { ExecutionContext } from '@nestjs/common';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/** The GraphQL context as Nest's drivers build it: Apollo's and Mercurius's `req`, or a `request` a user context names. */
interface GraphqlContextLike {
  req?: HttpRequestLike;
  request?: HttpRequestLike;
}

/**
 * The HTTP request behind a resolver: the GraphQL context is the resolver's third argument (as `GqlExecutionContext`
 * reads it, without importing @nestjs/graphql). Apollo puts the Express request there as `req`, Mercurius the Fastify
 * request, and `EndpointsAuthSubscriptions` a subscription's view of its connection.
 */
export function graphqlRequestOf(context: ExecutionContext): HttpRequestLike | undefined {
  const graphql = context.getArgByIndex<GraphqlContextLike | undefined>(2);
  return graphql?.req ?? graphql?.request;
}
