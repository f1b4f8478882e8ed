import { Controller, Get, Module } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';

/** The spec of the kit's tests: one definition per way keys come (URL, discovery, in the spec) and per location. */
export const KIT_SPEC = fileURLToPath(new URL('./fixtures/openapi.yaml', import.meta.url));

/** A team's controller: every route reads its caller. */
@Secured('firebase')
@Controller('me')
export class MeController {
  @Get()
  me(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Get('email')
  email(@UserInfo('email') email: string) {
    return { email };
  }

  @Secured('auth0')
  @Get('auth0')
  auth0(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Secured('google_id_token')
  @Get('google')
  google(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Secured('shared_secret')
  @Get('secret')
  secret(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Secured('query_only')
  @Get('query')
  query(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }
}

/**
 * The app under test, as a team writes it. `keyCache.eager` makes the start wait for every key set: it would fail if
 * anything were fetched, so the app starting at all shows the kit fetched nothing.
 */
@Module({
  imports: [EndpointsAuthModule.forRoot({ spec: KIT_SPEC, keyCache: { eager: true, fetchTimeoutMs: 1000 } })],
  controllers: [MeController],
})
export class KitAppModule {}
