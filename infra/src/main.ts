/**
 * CDKTF app: synthesizes the producer-account and consumer-account stacks to infra/cdktf.out as
 * Terraform JSON. Needs no AWS credentials and no Terraform binary (prebuilt provider bindings).
 * Run: `npx nx run infra:synth`.
 */
import { App } from 'cdktf';
import { join } from 'node:path';
import { PRODUCTION_CONSUMER, PRODUCTION_PRODUCER } from './config/environments';
import { ConsumerAccountStack } from './stacks/consumer-account-stack';
import { ProducerAccountStack } from './stacks/producer-account-stack';

const app = new App({ outdir: process.env['CDKTF_OUTDIR'] ?? join(__dirname, '..', 'cdktf.out') });
new ProducerAccountStack(app, 'tickwire-producer-prod', PRODUCTION_PRODUCER);
new ConsumerAccountStack(app, 'tickwire-consumer-prod', PRODUCTION_CONSUMER);
app.synth();
