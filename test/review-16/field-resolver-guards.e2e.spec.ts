/**
 * A `@Secured` field resolver that Nest would never guard (no `fieldResolverEnhancers: ['guards']`) stops the app at
 * start-up, on Apollo and Mercurius: it used to start and serve the field to anyone who reached it through a public
 * query. With the option, the field is refused per request.
 */
import { Module, type Type } from '@nestjs/common';
import { Field, ObjectType, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Public, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { Apps, startApp } from '../support/app.js';
import { DRIVERS, gql, graphqlModule } from '../graphql/graphql-kit.js';

@ObjectType()
class Account {
  @Field()
  id: string;
}

/** A public class whose one field resolver is secured. */
@Public()
@Resolver(() => Account)
class AccountsResolver {
  @Query(() => Account)
  account(): Account {
    return { id: '7' };
  }

  @Secured('alpha')
  @ResolveField(() => String)
  balance(): string {
    return '1,000,000';
  }
}

@ObjectType()
class Vault {
  @Field()
  id: string;
}

/** A secured class: its field resolver is secured too, and so must be guarded. */
@Secured('alpha')
@Resolver(() => Vault)
class VaultsResolver {
  @Public()
  @Query(() => Vault)
  vault(): Vault {
    return { id: '9' };
  }

  @ResolveField(() => String)
  combination(): string {
    return '12-34-56';
  }
}

/** Public and undecorated field resolvers need no guard: the app starts without the option. */
@Resolver(() => Account)
class PlainAccountsResolver {
  @Public()
  @Query(() => Account)
  plainAccount(): Account {
    return { id: '8' };
  }

  @Public()
  @ResolveField(() => String)
  nickname(): string {
    return 'plain';
  }
}

describe.each(DRIVERS)('@Secured field resolvers on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  const appWith = (resolver: Type<unknown>, enhancers: string[]) => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) }), graphqlModule(driver, { fieldResolverEnhancers: enhancers })], providers: [resolver] })
    class FieldAppModule {}
    return FieldAppModule;
  };

  it.each([
    [AccountsResolver, 'AccountsResolver.balance'],
    [VaultsResolver, 'VaultsResolver.combination'],
  ] as const)('refuses to start without fieldResolverEnhancers: %o', async (resolver, where) => {
    await expect(startApp(appWith(resolver, []), adapter)).rejects.toThrow(
      `@Secured on the field resolver ${where} would never be checked: Nest runs guards on field resolvers only with ` +
        "fieldResolverEnhancers: ['guards'] in the GraphQL module's options",
    );
  });

  it('starts without the option when no field resolver is secured', async () => {
    const { url } = apps.track(await startApp(appWith(PlainAccountsResolver, []), adapter));
    expect((await gql(url, '{ plainAccount { id nickname } }')).body).toEqual({ data: { plainAccount: { id: '8', nickname: 'plain' } } });
  });

  it('with the option, refuses the secured field reached through a public query', async () => {
    const { url } = apps.track(await startApp(appWith(VaultsResolver, ['guards']), adapter));
    const answer = await gql(url, '{ vault { id combination } }');
    expect(answer.body.data).toBeNull();
    expect(answer.body.errors).toMatchObject([{ message: 'Jwt is missing', path: ['vault', 'combination'], extensions: { errorCode: 'MISSING_TOKEN' } }]);
  });
});
