import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { grpcMethodOf } from './grpc-request.util.js';

/**
 * The sanitised service URL of a method (`pkg.Service.Method`) under `serviceNameAudience`: `SERVICE_NAME/pkg.Service`,
 * the `aud` gRPC's JWT-access credentials sign (`https://` + the channel authority + `/` + the full service name);
 * `undefined` for a name without a service part.
 */
export function serviceUrlAudience(serviceNameAudience: string, method: string): string | undefined {
  const end = method.lastIndexOf('.');
  return end > 0 ? `${serviceNameAudience}/${method.slice(0, end)}` : undefined;
}

/**
 * What a gRPC call accepts from a definition that lists no audiences: `https://SERVICE_NAME` and the URL of the
 * service the call reached, as Service Management documents for such providers (ESPv2 accepts the first only). The
 * service comes from the method grpc-js dispatched, never from the token or the client's text. Each list is built once
 * per definition and method: grpc-js hands the guard only the methods the app serves, so the maps stay that small.
 */
export class GrpcServiceAudiences {
  private readonly byProvider = new Map<EndpointsProvider, Map<string, readonly string[] | undefined>>();

  /**
   * The audiences `provider` accepts on `request`; `undefined` (its own audiences apply) for an HTTP request, and for
   * a definition that lists audiences or has the service-name check off.
   */
  of(provider: EndpointsProvider, request: HttpRequestLike): readonly string[] | undefined {
    const serviceName = provider.serviceNameAudience;
    if (serviceName === undefined) return undefined;
    const method = grpcMethodOf(request);
    if (method === undefined) return undefined;
    let byMethod = this.byProvider.get(provider);
    if (!byMethod) this.byProvider.set(provider, (byMethod = new Map()));
    if (byMethod.has(method)) return byMethod.get(method);
    const serviceUrl = serviceUrlAudience(serviceName, method);
    const audiences = serviceUrl === undefined ? undefined : [...provider.audiences, serviceUrl];
    byMethod.set(method, audiences);
    return audiences;
  }
}
