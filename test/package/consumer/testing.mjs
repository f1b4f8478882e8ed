// ESM consumer of the packed testing kit: prints its export names as JSON.
import * as testing from 'nestjs-endpoints-auth/testing';

console.log(JSON.stringify(Object.keys(testing).sort()));
