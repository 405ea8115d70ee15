/**
 * What the web app's distribution says to browsers and does to paths, as plain values so that the
 * tests can check them directly: the Content-Security-Policy and the viewer-request function that
 * serves index.html for the app's own routes.
 */

/** Where Cognito's prefix domains (managed login) live, in every region. */
export const COGNITO_PREFIX_DOMAINS = 'https://*.amazoncognito.com';

/**
 * Only the app's own code and Stripe.js (cards are entered in Stripe's frames, never in our page);
 * the browser talks to the API (same origin), Stripe's API and the sign-in domain's token endpoint;
 * the sign-in form posts to the sign-in domain; videos play from the outputs bucket's presigned URLs
 * (`outputsOrigin`, its regional S3 host); nobody may frame the app.
 */
export function contentSecurityPolicy(signInOrigin: string, outputsOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' https://js.stripe.com",
    'frame-src https://js.stripe.com https://hooks.stripe.com',
    `connect-src 'self' https://api.stripe.com ${signInOrigin}`,
    "img-src 'self' data: https:",
    ...(outputsOrigin ? [`media-src 'self' ${outputsOrigin}`] : []),
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    `form-action 'self' ${signInOrigin}`,
  ].join('; ');
}

/**
 * CloudFront Functions (JS 2.0 runtime) on the default behavior's viewer request. A path whose last
 * segment has no dot is an app route (/billing, /billing/invoices) and gets /index.html; a file
 * (/assets/index-abc.js, /config.json, /favicon.ico) is fetched as is, so a missing one stays an
 * error instead of an HTML page. /v1/* has its own behavior and never runs this.
 */
export const SPA_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
    request.uri = '/index.html';
  }
  return request;
}`;
