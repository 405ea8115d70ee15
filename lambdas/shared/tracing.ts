/**
 * X-Ray tracing (Powertools Tracer): every AWS SDK client a deployed function builds is captured, so
 * each DynamoDB, SQS and Secrets Manager call is a subsegment of the invocation; outbound HTTPS
 * (Stripe) is captured by the tracer itself. Only Lambda entries (production-deps, the *-wiring)
 * call this; the tracer is loaded at that first call, never at import, so the local stack (which
 * imports the same handler modules under tsx, where aws-xray-sdk-core cannot load its JSON
 * resources) never loads it. Outside Lambda the tracer is disabled and clients are left as they are.
 */
import type * as PowertoolsTracer from '@aws-lambda-powertools/tracer';

type Tracer = PowertoolsTracer.Tracer;
import { SERVICE_NAME } from './service-identity';

let tracer: Tracer | undefined;

/** One tracer per process, created at the first cold-start wiring (which is when HTTPS capture starts). */
export function serviceTracer(): Tracer {
  if (!tracer) {
    // A require at first use, not an import: see above. esbuild still bundles it (a literal path).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tracer: TracerClass } = require('@aws-lambda-powertools/tracer') as typeof PowertoolsTracer;
    tracer = new TracerClass({ serviceName: SERVICE_NAME });
  }
  return tracer;
}

/** The client, with its calls traced as subsegments when tracing is on. */
export function traced<T>(client: T): T {
  return serviceTracer().captureAWSv3Client(client);
}
