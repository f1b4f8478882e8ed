import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthError } from '../errors/auth-error.js';
import { toHttpException, wwwAuthenticate } from '../errors/to-http-exception.util.js';
import { isCorsPreflight } from '../routes/cors-preflight.util.js';
import { requestOf } from '../routes/request-of.util.js';
import { RouteRequirements } from '../routes/route-requirements.js';
import { requestPathOf } from '../routes/route-template.util.js';
import { RequestAuthenticator } from '../strategies/request-authenticator.js';
import { setClaims } from '../token/claims-slot.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * Authenticates every route that requires a token (decorators, then the spec) and puts the claims on
 * `request.user`; failures are thrown as 401/403 with ESP's message, never returned as `false`.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthGuard implements CanActivate {
  constructor(
    private readonly routes: RouteRequirements,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = this.getRequest(context);
    const requirement = this.routes.requirementFor(context, request);
    if (!requirement || requirement.providers.length === 0) return true;
    if (!request) {
      // Fail closed: a route that needs a token is never opened because its context could not be read.
      throw toHttpException(new AuthError('UNSUPPORTED_CONTEXT', `Jwt cannot be read from a "${context.getType()}" context`));
    }
    if (isCorsPreflight(context, request)) return true;
    try {
      const claims = await this.authenticator.authenticate(request, requirement);
      if (claims) setClaims(request, claims);
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      this.setChallenge(context, request, error);
      throw toHttpException(error);
    }
  }

  /** The request to authenticate; override to reach it in other contexts. `undefined` fails closed. */
  protected getRequest(context: ExecutionContext): HttpRequestLike | undefined {
    return requestOf(context);
  }

  private setChallenge(context: ExecutionContext, request: HttpRequestLike, error: AuthError): void {
    if (context.getType() !== 'http') return;
    const response = context.switchToHttp().getResponse<{ header?: Function; setHeader?: Function }>();
    const host = String(request.headers['host'] ?? request.headers[':authority'] ?? '');
    const value = wwwAuthenticate(error, request.protocol ?? 'http', host, requestPathOf(request));
    // Express and Fastify both offer `header(name, value)`; plain Node responses only `setHeader`.
    if (typeof response.header === 'function') response.header('WWW-Authenticate', value);
    else response.setHeader?.('WWW-Authenticate', value);
  }
}
