// OrderEnricher: the plain (non-durable) function the order processor invokes; it returns
// customer data for an order.
export const handler = async (event, context) => {
  const orderId = typeof event?.orderId === 'string' ? event.orderId : '';
  const customerId = `CUST-${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
  const result = {
    statusCode: 200,
    orderId,
    enrichedData: { customerId, timestamp: new Date().toISOString() },
  };
  console.log(JSON.stringify({
    level: 'INFO',
    message: 'Order enriched',
    requestId: context.awsRequestId,
    orderId,
    remainingTimeMs: context.getRemainingTimeInMillis(),
  }));
  return result;
};
