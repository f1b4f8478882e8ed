/**
 * `@nestjs/swagger`'s metadata keys, written as strings so the library never loads that optional peer (its
 * `DECORATORS.API_SECURITY` and `DECORATORS.API_OPERATION`; test/swagger checks them against the installed package).
 */

/** The security requirements `@ApiSecurity()` lists on a controller or a handler. */
export const SWAGGER_API_SECURITY = 'swagger/apiSecurity';

/** The options of `@ApiOperation()`, which Swagger copies onto the operation after merging everything else. */
export const SWAGGER_API_OPERATION = 'swagger/apiOperation';
