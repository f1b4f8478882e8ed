import { Inject } from '@nestjs/common';

/** The injection token of the `EndpointsClient` registered under `name`. */
export function getEndpointsClientToken(name: string): string {
  return `EndpointsClient:${name}`;
}

/** Injects the `EndpointsClient` registered under `name` by `EndpointsClientModule`. */
export const InjectEndpointsClient = (name: string): PropertyDecorator & ParameterDecorator =>
  Inject(getEndpointsClientToken(name));
