/**
 * X-Ray tracing (Powertools Tracer): every AWS SDK client a function builds is captured, so each
 * DynamoDB, SQS and Secrets Manager call is a subsegment of the invocation; outbound HTTPS (Stripe)
 * is captured by the tracer itself. Outside Lambda (local stack, tests) the tracer is disabled and
 * the clients are left as they are.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './service-identity';

let tracer: Tracer | undefined;

/** One tracer per process, created at the first cold-start wiring (which is when HTTPS capture starts). */
export function serviceTracer(): Tracer {
  return (tracer ??= new Tracer({ serviceName: SERVICE_NAME }));
}

/** The client, with its calls traced as subsegments when tracing is on. */
export function traced<T>(client: T): T {
  return serviceTracer().captureAWSv3Client(client);
}
