import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';

/** Props of {@link ConsumerLagAlarm}. */
export interface ConsumerLagAlarmProps {
  readonly alarmName: string;
  readonly clusterName: string;
  readonly consumerGroup: string;
  readonly topic: string;
  /** Messages behind, summed over the group's partitions of the topic. */
  readonly threshold: number;
  /** SNS topic ARNs notified on ALARM and OK. */
  readonly actions: string[];
}

/**
 * Alarm on Amazon MSK's `SumOffsetLag` (AWS/Kafka, dimensions Cluster Name, Consumer Group, Topic):
 * fires when the group stays above the threshold for 5 consecutive minutes, so a rebalance or a GC
 * pause does not page anyone. Missing data counts as breaching: a group that stopped reporting has
 * usually stopped consuming.
 */
export class ConsumerLagAlarm extends Construct {
  constructor(scope: Construct, id: string, props: ConsumerLagAlarmProps) {
    super(scope, id);
    new CloudwatchMetricAlarm(this, 'alarm', {
      alarmName: props.alarmName,
      alarmDescription: `Consumer group ${props.consumerGroup} is more than ${props.threshold} messages behind on ${props.topic}`,
      namespace: 'AWS/Kafka',
      metricName: 'SumOffsetLag',
      dimensions: {
        'Cluster Name': props.clusterName,
        'Consumer Group': props.consumerGroup,
        Topic: props.topic,
      },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: props.threshold,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
      alarmActions: props.actions,
      okActions: props.actions,
    });
  }
}
