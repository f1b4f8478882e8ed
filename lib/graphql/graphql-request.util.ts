import type { ExecutionContext } from '@nestjs/common';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { mercuriusOperationRequestOf } from './mercurius-subscription-auth.js';

/** The GraphQL context as Nest's drivers build it: Apollo's and Mercurius's `req`, or a `request` a user context names. */
interface GraphqlContextLike {
  req?: HttpRequestLike;
  request?: HttpRequestLike;
}

/**
 * The HTTP request behind a resolver: the GraphQL context is the resolver's third argument (as `GqlExecutionContext`
 * reads it, without importing @nestjs/graphql). Apollo puts the Express request there as `req`, Mercurius the Fastify
 * request, and `EndpointsAuthSubscriptions` a subscription's view of its connection (on Mercurius, one per operation).
 */
export function graphqlRequestOf(context: ExecutionContext): HttpRequestLike | undefined {
  return requestOfGraphqlContext(context.getArgByIndex<unknown>(2));
}

/**
 * The HTTP request a GraphQL context holds (`req`, or a `request` a user context names), as the drivers hand it to
 * hooks; in a Mercurius subscription's context built by `EndpointsAuthSubscriptions.mercurius()`, the connection's
 * request, ahead of the upgrade request Mercurius names `request`.
 */
export function requestOfGraphqlContext(graphql: unknown): HttpRequestLike | undefined {
  if (typeof graphql !== 'object' || graphql === null) return undefined;
  const context = graphql as GraphqlContextLike;
  return mercuriusOperationRequestOf(context) ?? context.req ?? context.request;
}
