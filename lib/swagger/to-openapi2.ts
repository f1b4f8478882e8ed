import { jwtFactsOf, openApi2JwtDefinition } from './endpoints-scheme.js';
import { OPERATION_METHODS, type OpenApiDocument, isRecord } from './openapi-document.js';
import { assignOperationIds } from './operation-ids.js';

type Json = Record<string, unknown>;

/** The keywords an OpenAPI 2 non-body parameter takes from its OpenAPI 3 `schema`. */
const PARAMETER_KEYWORDS = ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems'];

/**
 * An OpenAPI 3 document (already completed by `applyEndpointsSecurity`) as the OpenAPI 2 document ESP, ESPv2 and API
 * Gateway read: `host`, path/query/header parameters typed inline, request bodies as `in: body`, schemas under
 * `definitions`, and the JWT schemes in ESP's `oauth2` + `x-google-*` form.
 */
export function toOpenApi2(document: OpenApiDocument, host: string, extensions: Json = {}): Json {
  const components: Json = isRecord(document.components) ? document.components : {};
  const schemas: Json = isRecord(components['schemas']) ? components['schemas'] : {};
  const context = { components, schemas };
  const paths: Json = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isRecord(item)) continue;
    const converted: Json = {};
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const method of OPERATION_METHODS) {
      if (isRecord(item[method])) converted[method] = operationOf(item[method], shared, context);
    }
    paths[path] = converted;
  }
  assignOperationIds(paths);
  const result: Json = {
    swagger: '2.0',
    info: document.info,
    host,
    schemes: ['https'],
    ...topLevelExtensions(document),
    ...extensions,
  };
  const security = (document as OpenApiDocument & Json)['security'];
  if (Array.isArray(security)) result['security'] = security;
  result['paths'] = paths;
  if (Object.keys(schemas).length > 0) result['definitions'] = toOpenApi2Schema(schemas);
  result['securityDefinitions'] = definitionsOf(isRecord(components['securitySchemes']) ? components['securitySchemes'] : {});
  return result;
}

/** The top-level `x-google-*` members of the source, carried over. */
export function topLevelExtensions(document: OpenApiDocument): Json {
  return Object.fromEntries(Object.entries(document).filter(([name]) => name.startsWith('x-google-')));
}

/** A schema with `$ref`s into `definitions` and OpenAPI 3's `nullable` as `x-nullable`. */
function toOpenApi2Schema(value: unknown): any {
  if (Array.isArray(value)) return value.map(toOpenApi2Schema);
  if (!isRecord(value)) return value;
  const result: Json = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === '$ref' && typeof member === 'string') result[key] = member.replace('#/components/schemas/', '#/definitions/');
    else if (key === 'nullable') result['x-nullable'] = member;
    else result[key] = toOpenApi2Schema(member);
  }
  return result;
}

function operationOf(operation: Json, shared: unknown[], context: { components: Json; schemas: Json }): Json {
  const result: Json = {};
  for (const key of ['operationId', 'summary', 'description', 'tags', 'deprecated', 'security']) {
    if (operation[key] !== undefined) result[key] = operation[key];
  }
  for (const [key, member] of Object.entries(operation)) if (key.startsWith('x-')) result[key] = member;
  const own = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
  const parameters: Json[] = [];
  for (const raw of [...shared, ...own]) {
    const parameter = resolve(raw, context.components, 'parameters');
    if (!parameter || !['path', 'query', 'header'].includes(String(parameter['in']))) continue;
    parameters.push(parameterOf(parameter, context.schemas));
  }
  const body = resolve(operation['requestBody'], context.components, 'requestBodies');
  const bodyContent = isRecord(body?.['content']) ? body['content'] : undefined;
  if (bodyContent && Object.keys(bodyContent).length > 0) {
    result['consumes'] = Object.keys(bodyContent);
    const media = preferredMedia(bodyContent);
    parameters.push({
      name: 'body',
      in: 'body',
      required: body?.['required'] === true,
      schema: toOpenApi2Schema(isRecord(media?.['schema']) ? media['schema'] : { type: 'object' }),
    });
  }
  if (parameters.length > 0) result['parameters'] = parameters;
  const produces = new Set<string>();
  const responses: Json = {};
  for (const [code, raw] of Object.entries(isRecord(operation['responses']) ? operation['responses'] : {})) {
    const response = resolve(raw, context.components, 'responses') ?? {};
    const content = isRecord(response['content']) ? response['content'] : {};
    Object.keys(content).forEach((type) => produces.add(type));
    const media = preferredMedia(content);
    const converted: Json = { description: typeof response['description'] === 'string' ? response['description'] : '' };
    if (isRecord(media?.['schema'])) converted['schema'] = toOpenApi2Schema(media['schema']);
    responses[code] = converted;
  }
  if (produces.size > 0) result['produces'] = [...produces];
  // OpenAPI 2 needs at least one response.
  result['responses'] = Object.keys(responses).length > 0 ? responses : { default: { description: '' } };
  return result;
}

function parameterOf(parameter: Json, schemas: Json): Json {
  const result: Json = { name: parameter['name'], in: parameter['in'] };
  if (parameter['in'] === 'path' || parameter['required'] === true) result['required'] = true;
  if (typeof parameter['description'] === 'string') result['description'] = parameter['description'];
  let schema: Json = isRecord(parameter['schema']) ? parameter['schema'] : {};
  const ref = schema['$ref'];
  if (typeof ref === 'string' && isRecord(schemas[ref.replace('#/components/schemas/', '')])) {
    schema = schemas[ref.replace('#/components/schemas/', '')] as Json;
  }
  for (const keyword of PARAMETER_KEYWORDS) if (schema[keyword] !== undefined) result[keyword] = toOpenApi2Schema(schema[keyword]);
  // A non-body parameter must be typed; an object or a composed schema is sent as text.
  if (typeof result['type'] !== 'string' || result['type'] === 'object') result['type'] = 'string';
  if (result['type'] === 'array' && !isRecord(result['items'])) result['items'] = { type: 'string' };
  if (isRecord(result['items']) && typeof result['items']['type'] !== 'string') result['items'] = { type: 'string' };
  return result;
}

function definitionsOf(schemes: Json): Json {
  const definitions: Json = {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isRecord(scheme)) continue;
    const facts = jwtFactsOf(scheme);
    if (facts) definitions[name] = openApi2JwtDefinition(facts, scheme['description']);
    else if (scheme['type'] === 'apiKey') definitions[name] = { type: 'apiKey', name: scheme['name'], in: scheme['in'] };
    else if (scheme['type'] === 'http' && scheme['scheme'] === 'basic') definitions[name] = { type: 'basic' };
  }
  return definitions;
}

/** A `$ref` into `components.<kind>` resolved one level; a plain object as it is. */
function resolve(value: unknown, components: Json, kind: string): Json | undefined {
  if (!isRecord(value)) return undefined;
  const ref = value['$ref'];
  if (typeof ref !== 'string') return value;
  const section = components[kind];
  const target = isRecord(section) ? section[ref.replace(`#/components/${kind}/`, '')] : undefined;
  return isRecord(target) ? target : undefined;
}

function preferredMedia(content: Json): Json | undefined {
  const media = content['application/json'] ?? Object.values(content)[0];
  return isRecord(media) ? media : undefined;
}
