/**
 * The gRPC service URL as audience: a definition that lists no audiences also accepts, on a gRPC call,
 * `https://SERVICE_NAME/<package.Service>` of the service called (Service Management's rule for such providers).
 */
import * as grpc from '@grpc/grpc-js';
import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { GrpcServiceAudiences, serviceUrlAudience } from '../../lib/grpc/grpc-service-audiences.js';
import { grpcRequestOf } from '../../lib/grpc/grpc-request.util.js';
import type { EndpointsProvider } from '../../lib/interfaces/provider.interface.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import { resolveSpec } from '../../lib/api-config/resolve-spec.js';
import { checkAudience } from '../../lib/token/claim-rules.js';
import type { HttpRequestLike } from '../../lib/token/http-request.interface.js';

const SERVICE = 'shelves.example.com';

/** The request view the guard reads for a unary call to `path` (`/pkg.Service/Method`). */
function grpcCall(path: string): HttpRequestLike {
  const context = { getArgs: () => [{}, new grpc.Metadata(), { getPath: () => path }] } as unknown as ExecutionContext;
  return grpcRequestOf(context)!;
}

/** The providers a service config reads, with `audiences` as the provider's own when given. */
function providersOf(audiences?: string, disableServiceNameAudienceCheck = false): EndpointsProvider {
  const spec = {
    type: 'google.api.Service',
    name: SERVICE,
    authentication: {
      providers: [{ id: 'sa', issuer: 'sa@p.iam.gserviceaccount.com', jwks_uri: 'https://keys.example.com', ...(audiences ? { audiences } : {}) }],
      rules: [{ selector: '*', requirements: [{ provider_id: 'sa' }] }],
    },
  };
  return resolveSpec({ spec }, resolveOptions({ spec, disableServiceNameAudienceCheck })).providers.get('sa')!;
}

describe('serviceUrlAudience', () => {
  it.each([
    ['pkg.v1.Shelves.ListShelves', `${SERVICE}/pkg.v1.Shelves`],
    ['Shelves.ListShelves', `${SERVICE}/Shelves`],
    ['ListShelves', undefined],
  ])('names the service of %s', (method, expected) => {
    expect(serviceUrlAudience(SERVICE, method)).toBe(expected);
  });
});

describe('which definitions accept the service URL', () => {
  it('one that lists no audiences: its default https://SERVICE_NAME marks it', () => {
    expect(providersOf()).toMatchObject({ audiences: [SERVICE], serviceNameAudience: SERVICE });
  });

  it('not one that lists audiences, even the service name itself, nor one with the service-name check off', () => {
    expect(providersOf(`https://${SERVICE}`).serviceNameAudience).toBeUndefined();
    expect(providersOf('other.example.com').serviceNameAudience).toBeUndefined();
    const unchecked = providersOf(undefined, true);
    expect(unchecked.audiences).toEqual([]);
    expect(unchecked.serviceNameAudience).toBeUndefined();
  });
});

describe('GrpcServiceAudiences', () => {
  const provider = providersOf();

  it('adds the URL of the service the call reached, built once per definition and method', () => {
    const audiences = new GrpcServiceAudiences();
    const first = audiences.of(provider, grpcCall('/test.auth.Shelves/ListShelves'));
    expect(first).toEqual([SERVICE, `${SERVICE}/test.auth.Shelves`]);
    expect(audiences.of(provider, grpcCall('/test.auth.Shelves/ListShelves'))).toBe(first);
    expect(audiences.of(provider, grpcCall('/test.auth.Health/Check'))).toEqual([SERVICE, `${SERVICE}/test.auth.Health`]);
  });

  it('adds nothing over HTTP, or for a definition that lists audiences', () => {
    const audiences = new GrpcServiceAudiences();
    expect(audiences.of(provider, { method: 'POST', headers: {}, url: '/test.auth.Shelves/ListShelves' })).toBeUndefined();
    expect(audiences.of(providersOf('other.example.com'), grpcCall('/test.auth.Shelves/ListShelves'))).toBeUndefined();
  });

  const allowed = new GrpcServiceAudiences().of(provider, grpcCall('/test.auth.Shelves/ListShelves'))!;
  it.each([
    [`https://${SERVICE}/test.auth.Shelves`, true],
    [`https://${SERVICE}/test.auth.Shelves/`, true],
    [`http://${SERVICE}/test.auth.Shelves`, true],
    [`${SERVICE}/test.auth.Shelves`, true],
    [`https://${SERVICE}`, true],
    [`https://${SERVICE}/test.auth.Health`, false],
    [`https://${SERVICE}/test.auth.Shelves/ListShelves`, false],
    [`https://${SERVICE}/test.auth.Shelves//`, false],
    [`https://${SERVICE}/test.auth`, false],
    [`https://other.example.com/test.auth.Shelves`, false],
  ])('on a call to test.auth.Shelves, aud %s passes: %s', (aud, passes) => {
    const check = () => checkAudience({ iss: 'sa@p.iam.gserviceaccount.com', exp: 0, aud }, allowed);
    if (passes) expect(check).not.toThrow();
    else expect(check).toThrow('Audiences in Jwt are not allowed');
  });
});
