import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import { requestOf } from '../routes/request-of.util.js';

/**
 * The verified token's claims (`@UserInfo()`), or one claim (`@UserInfo('email')`); `undefined` on a public route.
 * @publicApi
 */
export const UserInfo = createParamDecorator((claim: string | undefined, context: ExecutionContext) => {
  const user = requestOf(context)?.user as JwtClaims | undefined;
  return claim === undefined ? user : user?.[claim];
});
