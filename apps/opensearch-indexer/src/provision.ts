/**
 * The one-shot provisioning run, a second entry point of the opensearch-indexer image
 * (`node provision.js`; webpack.config.js bundles it beside main.js). infra/ runs it as its own ECS task
 * with a role of its own before the services start: it creates the Kafka topics and ACLs and the
 * OpenSearch security roles, mappings and index templates the stack publishes (infra/README.md,
 * "Provisioning"). Exit code 0 when everything is applied, 1 otherwise (the error is logged).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { createOpenSearchClient } from '@tickwire/aws';
import { createKafkaClient } from '@tickwire/kafka';
import { createServiceLogger, openSearchConnectionFrom } from '@tickwire/service-kit';
import { loadProvisioningConfig, PROVISIONING_NAME } from './provisioning/provisioning-config';
import { runProvisioning } from './provisioning/provisioning-run';

async function main(): Promise<void> {
  const logger = createServiceLogger(PROVISIONING_NAME, 'info');
  try {
    const config = loadProvisioningConfig();
    const credentials = defaultProvider();
    const kafka = createKafkaClient(
      {
        brokers: config.kafkaBrokers,
        clientId: PROVISIONING_NAME,
        ssl: config.kafkaSsl,
        ...(config.kafkaSaslMechanism
          ? {
              sasl: {
                mechanism: config.kafkaSaslMechanism,
                region: config.awsRegion,
                getCredentials: credentials,
              },
            }
          : {}),
      },
      logger,
    );
    const openSearch = createOpenSearchClient(
      openSearchConnectionFrom({ OPENSEARCH_URL: config.openSearchUrl, AWS_REGION: config.awsRegion }),
    );
    try {
      await runProvisioning(config, { kafka, openSearch }, logger);
    } finally {
      await openSearch.close();
    }
    logger.info('provisioning complete');
  } catch (error) {
    logger.error({ err: error }, 'provisioning failed');
    process.exitCode = 1;
  }
}

void main();
