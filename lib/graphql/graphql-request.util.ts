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
  return requestOfGraphqlContext(context.getArgByIndex<unknown>(2));
}

/** The HTTP request a GraphQL context holds (`req`, or a `request` a user context names), as the drivers hand it to hooks. */
export function requestOfGraphqlContext(graphql: unknown): HttpRequestLike | undefined {
  const context = graphql as GraphqlContextLike | undefined;
  return context?.req ?? context?.request;
}
