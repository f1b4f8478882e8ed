// A TypeScript Nest app written against the packed library's declarations: tsconfig.json compiles it with
// skipLibCheck off, so every shipped .d.ts is checked against the installed Nest (11 in the matrix, 12 by default).
import 'reflect-metadata';
import { Controller, Get, Module, Post, type PipeTransform } from '@nestjs/common';
import {
  EndpointsAuthGuard,
  EndpointsAuthModule,
  Public,
  Secured,
  UserInfo,
  type EndpointsAuthModuleOptions,
  type JwtClaims,
} from 'nestjs-endpoints-auth';
import type { TestTokenFailure } from 'nestjs-endpoints-auth/testing';

/** A pipe after the claim name, as Nest's own parameter decorators take them. */
class TrimPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown): unknown {
    return typeof value === 'string' ? value.trim() : value;
  }
}

const options: EndpointsAuthModuleOptions = { spec: 'openapi.yaml', clockSkewSeconds: 30 };

@Secured('firebase')
@Controller('shelves')
export class ShelvesController {
  @Get() list(@UserInfo() claims: JwtClaims): JwtClaims {
    return claims;
  }

  @Public() @Get('health') health(): { ok: boolean } {
    return { ok: true };
  }

  @Secured('auth0_jwk', 'google_id_token')
  @Post() create(@UserInfo('email', TrimPipe) email: string, @UserInfo('sub', new TrimPipe()) subject: string): string {
    return `${email} ${subject}`;
  }

  @Secured('firebase', { optional: true })
  @Get('maybe') maybe(@UserInfo() claims?: JwtClaims): boolean {
    return claims !== undefined;
  }
}

@Module({
  imports: [
    EndpointsAuthModule.forRoot(options),
    EndpointsAuthModule.forRootAsync({ useFactory: () => ({ spec: 'openapi.yaml' }) }),
  ],
  controllers: [ShelvesController],
})
export class AppModule {}

export const guard: typeof EndpointsAuthGuard = EndpointsAuthGuard;

/** The testing kit's declarations, as a team's e2e test uses them. */
export async function kitHeader(): Promise<Record<string, string>> {
  const { Test } = await import('@nestjs/testing');
  const { EndpointsAuthTesting } = await import('nestjs-endpoints-auth/testing');
  const auth = new EndpointsAuthTesting();
  await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
  const failure: TestTokenFailure = 'expired';
  return auth.header('firebase', { email: 'a@b.c' }, failure);
}
