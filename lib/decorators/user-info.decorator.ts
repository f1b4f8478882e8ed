import { createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import { requestOf } from '../routes/request-of.util.js';
import { claimsOf } from '../token/claims-slot.js';

/**
 * The verified token's claims (`@UserInfo()`), or one claim (`@UserInfo('email')`); `undefined` on a public route.
 * @publicApi
 */
// Typed here rather than inferred: the inferred type names Nest 12's `ParameterDecoratorOptions`, which Nest 11 does
// not export, so the shipped declarations would not compile in a Nest 11 app checking its libraries.
export const UserInfo: (...claimOrPipes: (string | undefined | PipeTransform | Type<PipeTransform>)[]) => ParameterDecorator =
  createParamDecorator((claim: string | undefined, context: ExecutionContext) => {
    const user = claimsOf(requestOf(context));
    return claim === undefined ? user : user?.[claim];
  });
