import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { checkApiKey } from '../api-keys/check-api-key.js';
import { ENDPOINTS_AUTH_SETTINGS } from '../endpoints-auth.constants.js';
import { AuthError } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { RouteRequirements } from '../routes/route-requirements.js';
import { noteJudgedBy } from '../telemetry/refusal-definition.js';
import { RequestAuthenticator } from '../strategies/request-authenticator.js';
import { requestOfGraphqlContext } from './graphql-request.util.js';
import { introspectionFieldsOf } from './introspection-fields.util.js';
import { toGraphqlError } from './to-graphql-error.util.js';

/**
 * A parsed GraphQL document as the drivers hand it to their hooks (`DocumentNode`), without importing graphql.
 * @publicApi
 */
export type GraphqlDocument = Parameters<typeof introspectionFieldsOf>[0];

/**
 * The Apollo Server plugin `EndpointsAuthIntrospection.apolloPlugin()` returns, for the Apollo driver's `plugins`,
 * written out so that its declarations never import @apollo/server.
 * @publicApi
 */
export interface IntrospectionApolloPlugin {
  /** Starts each request's listener, whose `didResolveOperation` refuses introspection the endpoint does not allow. */
  requestDidStart(): Promise<{
    didResolveOperation(request: { document: GraphqlDocument; contextValue: unknown; response: { http: { status?: number } } }): Promise<void>;
  }>;
}

/**
 * The Mercurius hooks `EndpointsAuthIntrospection.mercuriusHooks()` returns, for the Mercurius driver's `hooks`.
 * @publicApi
 */
export interface IntrospectionMercuriusHooks {
  /** Refuses introspection the endpoint does not allow, before the operation runs. */
  preExecution(schema: unknown, document: GraphqlDocument, context: unknown): Promise<void>;
}

/**
 * Holds introspection (`__schema`, `__type`) to what the GraphQL endpoint requires: those fields have no resolver, so
 * no guard sees them. An operation that selects one is refused as a whole, with a resolver refusal's GraphQL error,
 * unless the request satisfies the spec operation of the endpoint's path, as undecorated resolvers must (ESP checks
 * the whole HTTP request). Hand `apolloPlugin()` or `mercuriusHooks()` to the GraphQL module's options.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthIntrospection {
  private readonly logger = new Logger(EndpointsAuthIntrospection.name);
  /** Where introspection operations let in and refused are counted; a property, so the constructor stays as users may call it. */
  @Optional() @Inject(EndpointsAuthCounters) private readonly counters?: EndpointsAuthCounters;

  constructor(
    @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings: ResolvedEndpointsAuthOptions,
    private readonly routes: RouteRequirements,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  /** The Apollo Server plugin, for `plugins: [auth.apolloPlugin()]` in the Apollo driver's options. */
  apolloPlugin(): IntrospectionApolloPlugin {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, contextValue, response }) => {
          const refusal = await this.refusalFor(document, contextValue);
          if (!refusal) return;
          // Apollo answers an error thrown here with 500 unless a status is set; a resolver refusal is answered with 200.
          response.http.status = 200;
          throw refusal;
        },
      }),
    };
  }

  /** The Mercurius hooks, for `hooks: auth.mercuriusHooks()` in the Mercurius driver's options. */
  mercuriusHooks(): IntrospectionMercuriusHooks {
    return {
      preExecution: async (_schema, document, context) => {
        const refusal = await this.refusalFor(document, context);
        if (refusal) throw refusal;
      },
    };
  }

  /**
   * The GraphQL error that refuses the operation, or `undefined` when it selects no introspection or the request of the
   * GraphQL context (`req`) passes; what the plugin, the hook and graphql-ws's `onSubscribe` each ask.
   */
  async refusalFor(document: GraphqlDocument, graphqlContext: unknown): Promise<Error | undefined> {
    const fields = introspectionFieldsOf(document);
    if (fields.length === 0) return undefined;
    const request = requestOfGraphqlContext(graphqlContext);
    const requirement = this.routes.graphqlEndpointRequirementFor(request);
    if (!requirement || (requirement.providers.length === 0 && !requirement.apiKey)) return undefined;
    let verified;
    try {
      // Fail closed, as the guard does: a context without its request never opens what the endpoint protects.
      if (!request) throw new AuthError('UNSUPPORTED_CONTEXT', 'Jwt cannot be read from a "graphql" context');
      if (requirement.providers.length > 0) verified = await this.authenticator.verify(request, requirement);
      if (requirement.apiKey) await checkApiKey(this.settings.apiKeys, request, requirement, this.validatorContext(graphqlContext));
      this.counters?.addPass(verified?.definition);
      return undefined;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // An API key refused after the token passed is counted under the token's definition.
      if (verified) noteJudgedBy(error, verified.definition);
      this.counters?.addRefusal(error, requirement);
      this.logger.debug(`GraphQL introspection refused: ${error.code}`);
      return toGraphqlError(error, fields);
    }
  }

  /** What an API key validator is handed: a GraphQL context with no resolver (`GqlExecutionContext` reads its `req`). */
  private validatorContext(graphqlContext: unknown): ExecutionContextHost {
    const context = new ExecutionContextHost([undefined, {}, graphqlContext, undefined]);
    context.setType('graphql');
    return context;
  }
}
