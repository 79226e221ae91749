/** Payment pages a buyer leaves for and returns from mid-visit: coming back from one is no arrival. */
const paymentHosts = [
  'checkout.stripe.com',
  'hooks.stripe.com',
  'paypal.com',
  'klarna.com',
  'adyen.com',
  'mollie.com',
  'squareup.com',
  'checkout.square.site',
  'braintreegateway.com',
  'checkout.shopify.com',
  '3dsecure.io',
];

/** Whether a host (lower-case, ASCII) is a listed payment provider or a subdomain of one. */
export function isPaymentHost(host: string): boolean {
  return paymentHosts.some((listed) => host === listed || host.endsWith(`.${listed}`));
}
