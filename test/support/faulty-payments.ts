/**
 * A payment gateway in front of the payment simulator that fails every call for the customers it is
 * told to, the way Stripe answers for a deleted customer: a persistent error that no retry fixes.
 * Every method is passed through (a Proxy, so a method added to the port needs no change here);
 * a call whose first argument is a failing customer id, or an input naming one as `customerId`,
 * is refused. The error carries what stripe-node's errors carry, the customer id in the message and
 * raw body included, so a test can check that the service logs its type and code but never those.
 */
export class FaultyPayments<G extends object> {
  private readonly failing = new Set<string>();
  /** Calls refused so far, by customer id. */
  readonly refused = new Map<string, number>();
  /** What the service is given instead of the simulator. */
  readonly gateway: G;

  constructor(inner: G) {
    this.gateway = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const customerId = customerOf(args[0]);
          if (customerId !== null && this.failing.has(customerId)) return Promise.reject(this.refuse(customerId));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  failFor(customerId: string): void {
    this.failing.add(customerId);
  }

  heal(customerId: string): void {
    this.failing.delete(customerId);
  }

  private refuse(customerId: string): Error {
    this.refused.set(customerId, (this.refused.get(customerId) ?? 0) + 1);
    return Object.assign(new Error(`No such customer: '${customerId}'`), {
      name: 'StripeInvalidRequestError',
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
      requestId: 'req_faulty_test',
      raw: { message: `No such customer: '${customerId}'`, param: 'customer' },
    });
  }
}

function customerOf(arg: unknown): string | null {
  if (typeof arg === 'string') return arg.startsWith('cus_') ? arg : null;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { customerId?: unknown }).customerId === 'string') return (arg as { customerId: string }).customerId;
  return null;
}
