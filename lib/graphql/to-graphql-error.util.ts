import type { AuthError } from '../errors/auth-error.js';

/** The `extensions.code` of a refusal, as Apollo names HTTP's 401 and 403 (ESP answers only these two). */
export type GraphqlAuthCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

type GraphqlErrorClass = typeof import('graphql').GraphQLError;
/**
 * The AST nodes a GraphQLError locates (the second argument of its older constructor overload, the one
 * `ConstructorParameters` reads); kept out of the exported signature, whose declarations never name graphql.
 */
type ErrorNodes = ConstructorParameters<GraphqlErrorClass>[1];

/** Loaded on the first GraphQL refusal only: `graphql` is an optional peer an HTTP-only app never installs. */
let graphqlErrorClass: Promise<GraphqlErrorClass> | undefined;

/** `FORBIDDEN` for ESP's 403 (the audience failure), `UNAUTHENTICATED` for its 401s. */
export function graphqlCodeOf(error: AuthError): GraphqlAuthCode {
  return error.status === 403 ? 'FORBIDDEN' : 'UNAUTHENTICATED';
}

/**
 * The `GraphQLError` that carries a refusal in a resolver: ESP's message with `extensions: { code, errorCode }`.
 * Apollo's and Mercurius's Nest drivers pass a `GraphQLError` through as it is (an `HttpException` would be reshaped
 * by Apollo, with the `errorCode` under `originalError`, and lose its body on Mercurius), so both answer the same JSON.
 * It has no HTTP status: a refused field is one error among the response's results, which GraphQL answers with 200.
 * `nodes` are the fields refused before execution (introspection), whose `locations` the error then carries.
 */
export async function toGraphqlError(error: AuthError, nodes?: readonly object[]): Promise<Error> {
  graphqlErrorClass ??= import('graphql').then((graphql) => graphql.GraphQLError);
  const GraphQLError = await graphqlErrorClass;
  return new GraphQLError(error.message, {
    nodes: nodes as ErrorNodes,
    extensions: { code: graphqlCodeOf(error), errorCode: error.code },
  });
}
