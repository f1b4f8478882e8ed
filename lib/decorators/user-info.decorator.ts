import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestOf } from '../routes/request-of.util.js';
import { claimsOf } from '../token/claims-slot.js';

/**
 * The verified token's claims (`@UserInfo()`), or one claim (`@UserInfo('email')`); `undefined` on a public route.
 * @publicApi
 */
export const UserInfo = createParamDecorator((claim: string | undefined, context: ExecutionContext) => {
  const user = claimsOf(requestOf(context));
  return claim === undefined ? user : user?.[claim];
});
