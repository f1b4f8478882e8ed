// ESM consumer of the packed library: prints its export names as JSON.
import * as lib from 'nestjs-endpoints-auth';

console.log(JSON.stringify(Object.keys(lib).sort()));
