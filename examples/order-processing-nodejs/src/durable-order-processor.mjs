// DurableOrderProcessor: AWS's order-processing sample for Lambda durable functions, written
// with AWS's own durable-execution SDK for JavaScript. Enriches the order by invoking
// OrderEnricher inside a step, waits two seconds without holding a worker, then finalizes.
import { withDurableExecution } from '@aws/durable-execution-sdk-js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

// AWS_ENDPOINT_URL_LAMBDA (set by the host) points the client at the server.
const lambda = new LambdaClient({});

async function processOrder(event, context) {
  const remaining = () => context.lambdaContext.getRemainingTimeInMillis();
  try {
    context.logger.info('Starting durable order processing', { event, remainingTimeMs: remaining() });
    if (typeof event?.orderId !== 'string' || event.orderId === '') {
      throw Object.assign(new Error('orderId is required'), { name: 'ValidationError' });
    }
    const orderId = event.orderId;
    const functionName = process.env.nodejsLambdaArn || event.nodejsLambdaArn || 'OrderEnricher';

    const enrichment = await context.step('enrich-order', async (step) => {
      step.logger.info('Invoking order enricher', { orderId, functionName });
      const out = await lambda.send(new InvokeCommand({
        FunctionName: functionName,
        Payload: JSON.stringify({ orderId }),
      }));
      const payload = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || 'null');
      if (out.FunctionError) {
        throw new Error(`OrderEnricher failed: ${JSON.stringify(payload)}`);
      }
      step.logger.info('Order enriched', { orderId, enrichmentResult: payload });
      return payload;
    });
    context.logger.info('Enrichment complete, waiting before finalizing',
                        { orderId, remainingTimeMs: remaining() });

    await context.wait({ seconds: 2 });
    context.logger.info('Wait complete, finalizing order', { orderId, remainingTimeMs: remaining() });

    const finalResult = await context.step('finalize-order', async (step) => {
      step.logger.info('Finalizing order', { orderId });
      return {
        orderId,
        status: 'COMPLETED',
        enrichedData: enrichment?.enrichedData ?? {},
        finalizedAt: new Date().toISOString(),
        message: 'Order finalized successfully',
      };
    });

    context.logger.info('Order processing completed', { orderId, remainingTimeMs: remaining() });
    return {
      success: true,
      orderId,
      enrichmentResult: enrichment,
      finalResult,
      message: 'Order processed successfully with durable execution',
      processedAt: new Date().toISOString(),
    };
  } catch (error) {
    context.logger.error('Order processing failed', { error: error.message, remainingTimeMs: remaining() });
    return { success: false, error: { message: error.message, name: error.name } };
  }
}

export const handler = withDurableExecution(processOrder);
