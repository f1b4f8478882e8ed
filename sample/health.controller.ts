import { Controller, Get } from '@nestjs/common';
import { Public } from '../lib/index.js';

/** A health check for load balancers: not in the spec, so `@Public()` exempts it from the API-level `security`. */
@Controller('healthz')
export class HealthController {
  @Public()
  @Get()
  health() {
    return { status: 'ok' };
  }
}
