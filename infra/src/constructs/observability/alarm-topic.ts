import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  readonly name: string;
  readonly kmsKeyArn: string;
}

/** The SNS topic every alarm notifies, encrypted with the customer-managed key; subscriptions are added by operators. */
export class AlarmTopic extends Construct {
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topicArn = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: props.kmsKeyArn }).arn;
  }
}
