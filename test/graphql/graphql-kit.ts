/** The GraphQL app the e2e tests share: code-first resolvers on Apollo (Express) or Mercurius (Fastify). */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { Args, Field, GraphQLModule, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { EndpointsAuthModule, type EndpointsAuthModuleOptions, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { type AdapterName, call } from '../support/app.js';

/** The two drivers, each on the adapter it serves: Apollo's Nest driver on Express, Mercurius on Fastify. */
export const DRIVERS = [
  ['apollo', 'express'],
  ['mercurius', 'fastify'],
] as const satisfies readonly (readonly [string, AdapterName])[];

export type DriverName = (typeof DRIVERS)[number][0];

@ObjectType()
export class Book {
  @Field()
  id: string;

  @Field()
  title: string;
}

@ObjectType()
export class Caller {
  @Field()
  iss: string;

  @Field()
  sub: string;

  @Field({ nullable: true })
  email?: string;
}

const BOOKS: Book[] = [{ id: '1', title: 'Dune' }];

/** Undecorated, public and secured queries, a secured mutation and a secured field resolver. */
@Resolver(() => Book)
export class BooksResolver {
  /** Undecorated: what the spec requires of the GraphQL endpoint's path. */
  @Query(() => [Book])
  books(): Book[] {
    return BOOKS;
  }

  @Public()
  @Query(() => [Book])
  publicBooks(): Book[] {
    return BOOKS;
  }

  @Secured('alpha')
  @Query(() => Caller)
  me(@UserInfo() user: JwtClaims): Caller {
    return { iss: String(user.iss), sub: String(user.sub), email: user['email'] as string | undefined };
  }

  @Secured('alpha')
  @Mutation(() => Book)
  addBook(@Args('title') title: string, @UserInfo('sub') sub: string): Book {
    return { id: `by-${sub}`, title };
  }

  /** A field only `beta` callers may read: the rest of the result stays when it is refused. */
  @Secured('beta')
  @ResolveField(() => String, { nullable: true })
  secret(@Parent() book: Book, @UserInfo('sub') sub: string): string {
    return `${book.id} for ${sub}`;
  }
}

/** A resolver class secured as a whole, with one public method. */
@Secured('beta')
@Resolver()
export class AdminResolver {
  @Query(() => String)
  adminNote(@UserInfo('iss') issuer: string): string {
    return `note for ${issuer}`;
  }

  @Public()
  @Query(() => String)
  adminHello(): string {
    return 'hello';
  }
}

/** The spec: the GraphQL endpoint needs an `alpha` token, as ESP would require of `POST /graphql`. */
export function graphqlSpec(issuers: Issuers) {
  return openApi2(issuers, { paths: { '/graphql': { post: { security: [{ alpha: [] }] }, get: { security: [{ alpha: [] }] } } } });
}

/** The GraphQL module of a driver; guards run on field resolvers only when `fieldResolverEnhancers` says so. */
export function graphqlModule(driver: DriverName, extra: Record<string, unknown> = {}): DynamicModule {
  return driver === 'apollo'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, fieldResolverEnhancers: ['guards'], ...extra })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, fieldResolverEnhancers: ['guards'], ...extra });
}

/** The app module: the library with `options`, the driver, both resolvers. */
export function graphqlAppModule(driver: DriverName, options: EndpointsAuthModuleOptions): DynamicModule {
  @Module({})
  class GraphqlAppModule {}
  return {
    module: GraphqlAppModule,
    imports: [EndpointsAuthModule.forRoot(options), graphqlModule(driver)],
    providers: [BooksResolver, AdminResolver],
  };
}

/** Posts a GraphQL operation to `${url}/graphql`; returns the status and the parsed body. */
export function gql(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  return call(`${url}/graphql`, { method: 'POST', headers, body: { query, ...(variables ? { variables } : {}) } });
}
