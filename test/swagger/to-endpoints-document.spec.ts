/** `toEndpointsDocument` on a hand-made Swagger document: the OpenAPI 2 and 3 shapes, and clear errors on bad input. */
import { describe, expect, it } from 'vitest';
import { type OpenApiDocument, toEndpointsDocument } from '../../lib/index.js';

const served = (): OpenApiDocument & Record<string, any> => ({
  openapi: '3.0.0',
  info: { title: 'Bookstore', version: '1' },
  servers: [{ url: 'http://127.0.0.1:3000' }],
  paths: {
    '/shelves/{shelf}': {
      parameters: [{ name: 'shelf', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } }],
      get: {
        operationId: 'ShelvesController_get',
        parameters: [
          { name: 'sort', in: 'query', required: false, schema: { $ref: '#/components/schemas/Sort' } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'session', in: 'cookie', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A shelf', content: { 'application/json': { schema: { $ref: '#/components/schemas/Shelf' } } } } },
        security: [{ firebase: [] }],
      },
      put: {
        operationId: 'ShelvesController_get',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Shelf' } } } },
        responses: {},
        security: [],
      },
    },
    '/books': { get: { responses: { '204': { description: 'none' } } } },
  },
  components: {
    schemas: {
      Sort: { type: 'string', enum: ['asc', 'desc'] },
      Shelf: { type: 'object', properties: { id: { type: 'integer' }, next: { $ref: '#/components/schemas/Shelf', nullable: true } } },
    },
    securitySchemes: {
      firebase: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', 'x-google-issuer': 'https://securetoken.google.com/p', 'x-google-audiences': 'p,q' },
      key: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    },
  },
});

describe('toEndpointsDocument, OpenAPI 2', () => {
  const document = served();
  const two = toEndpointsDocument(document, { openapi: '2.0', host: 'books.endpoints.p.cloud.goog', backendAddress: 'https://books.run.app' }) as any;

  it('types path, query and header parameters inline and drops cookies', () => {
    expect(two.paths['/shelves/{shelf}'].get.parameters).toEqual([
      { name: 'shelf', in: 'path', required: true, type: 'integer', format: 'int64' },
      { name: 'sort', in: 'query', type: 'string', enum: ['asc', 'desc'] },
      { name: 'tags', in: 'query', type: 'array', items: { type: 'string' } },
    ]);
  });

  it('moves request bodies to in: body and schemas to definitions, $refs rewritten', () => {
    expect(two.paths['/shelves/{shelf}'].put.parameters).toContainEqual({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/Shelf' },
    });
    expect(two.paths['/shelves/{shelf}'].get.responses['200']).toEqual({ description: 'A shelf', schema: { $ref: '#/definitions/Shelf' } });
    expect(two.definitions.Shelf.properties.next).toEqual({ $ref: '#/definitions/Shelf', 'x-nullable': true });
    expect(JSON.stringify(two)).not.toContain('#/components/');
  });

  it('gives every operation a unique operationId and keeps security, [] included', () => {
    expect(two.paths['/shelves/{shelf}'].get.operationId).toBe('ShelvesController_get');
    expect(two.paths['/shelves/{shelf}'].put.operationId).toBe('ShelvesController_get_2');
    expect(two.paths['/books'].get.operationId).toBe('get_books');
    expect(two.paths['/shelves/{shelf}'].put.security).toEqual([]);
  });

  it('writes ESP’s securityDefinitions, the backend and the host', () => {
    expect(two).toMatchObject({ swagger: '2.0', host: 'books.endpoints.p.cloud.goog', 'x-google-backend': { address: 'https://books.run.app' } });
    expect(two.securityDefinitions).toEqual({
      firebase: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': 'https://securetoken.google.com/p',
        'x-google-audiences': 'p,q',
      },
      key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    });
  });

  it('leaves the served document as it was', () => {
    expect(document).toEqual(served());
  });
});

describe('toEndpointsDocument, OpenAPI 3', () => {
  const three = toEndpointsDocument(served(), {
    openapi: '3.0',
    host: 'books.endpoints.p.cloud.goog',
    backendAddress: 'https://books.run.app',
    apiManagement: { allowCors: true },
  }) as any;

  it('names the service by an x-google-endpoint server and adds x-google-api-management with the backend', () => {
    expect(three.servers).toEqual([{ url: 'https://books.endpoints.p.cloud.goog', 'x-google-endpoint': {} }]);
    expect(three['x-google-api-management']).toEqual({ backends: { backend: { address: 'https://books.run.app' } }, allowCors: true });
    expect(three['x-google-backend']).toBe('backend');
  });

  it('writes each JWT scheme as oauth2 with x-google-auth, audiences as a list', () => {
    expect(three.components.securitySchemes.firebase).toEqual({
      type: 'oauth2',
      flows: { implicit: { authorizationUrl: '', scopes: {} } },
      'x-google-auth': { issuer: 'https://securetoken.google.com/p', audiences: ['p', 'q'] },
    });
    expect(three.components.securitySchemes.key).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(three.components.schemas.Shelf.properties.next.$ref).toBe('#/components/schemas/Shelf');
  });
});

describe('toEndpointsDocument, bad input', () => {
  it('refuses a host that is not a service name', () => {
    expect(() => toEndpointsDocument(served(), { openapi: '2.0', host: 'https://books.example.com' })).toThrow(
      /host must be a service name such as "api\.endpoints\.PROJECT\.cloud\.goog", got "https:\/\/books\.example\.com"/,
    );
  });

  it('refuses a document that is not OpenAPI 3', () => {
    expect(() => toEndpointsDocument({ swagger: '2.0', paths: {} } as never, { openapi: '2.0', host: 'a.b' })).toThrow(
      /expected an OpenAPI 3 document with paths/,
    );
  });

  it('refuses an unknown form', () => {
    expect(() => toEndpointsDocument(served(), { openapi: '3.1' as never, host: 'a.b' })).toThrow(/openapi must be "2\.0" or "3\.0", got "3\.1"/);
  });
});
