'use strict';
// CommonJS consumer of the packed library (Node's require(esm)): prints its export names as JSON.
const lib = require('nestjs-endpoints-auth');

console.log(JSON.stringify(Object.keys(lib).filter((name) => name !== '__esModule' && name !== 'module.exports').sort()));
