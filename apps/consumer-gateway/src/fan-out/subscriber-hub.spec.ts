import { BAR_1M_V1_FIXTURES, ENRICHED_V1_FIXTURES } from '@tickwire/contracts';
import type { RoutedMessage } from '@tickwire/subscriptions';
import { type FeedSubscriber, SubscriberHub } from './subscriber-hub';

class RecordingSubscriber implements FeedSubscriber {
  readonly received: { channel: string; symbol: string; text: string }[] = [];
  deliver(message: RoutedMessage, frameText: () => string): void {
    this.received.push({ channel: message.channel, symbol: message.symbol, text: frameText() });
  }
}

const aaplTrade = ENRICHED_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.kind === 'trade')!;
const amznBar = BAR_1M_V1_FIXTURES.map((fixture) => fixture.event).find((event) => event.payload.symbol === 'AMZN')!;

describe('SubscriberHub', () => {
  it('delivers to symbol and wildcard subscribers of the channel, once each', () => {
    const hub = new SubscriberHub();
    const [bySymbol, byWildcard, both, other] = [new RecordingSubscriber(), new RecordingSubscriber(), new RecordingSubscriber(), new RecordingSubscriber()];
    hub.add(bySymbol, 'trades', 'AAPL');
    hub.add(byWildcard, 'trades', '*');
    hub.add(both, 'trades', 'AAPL');
    hub.add(both, 'trades', '*');
    hub.add(other, 'trades', 'AMZN');
    expect(hub.publish(aaplTrade)).toBe(3);
    expect(bySymbol.received.map((r) => r.channel)).toEqual(['trades']);
    expect(both.received).toHaveLength(1);
    expect(other.received).toEqual([]);
    expect(JSON.parse(bySymbol.received[0]!.text)).toMatchObject({ type: 'trade', symbol: 'AAPL', id: aaplTrade.id });
  });

  it('routes bars only to bars subscribers, and forgets removed subscribers', () => {
    const hub = new SubscriberHub();
    const subscriber = new RecordingSubscriber();
    hub.add(subscriber, 'bars', 'AMZN');
    hub.add(subscriber, 'enriched', 'AAPL');
    expect(hub.subscriberCount).toBe(1);
    hub.publish(amznBar);
    hub.remove(subscriber, 'bars', 'AMZN');
    hub.publish(amznBar);
    expect(subscriber.received.map((r) => r.channel)).toEqual(['bars']);
    hub.removeAll(subscriber);
    hub.publish(aaplTrade);
    expect(subscriber.received).toHaveLength(1);
    expect(hub.subscriberCount).toBe(0);
  });

  it('keeps delivering to the others when one subscriber throws', () => {
    const hub = new SubscriberHub();
    const failing: FeedSubscriber = {
      deliver: () => {
        throw new Error('boom');
      },
    };
    const healthy = new RecordingSubscriber();
    hub.add(failing, 'enriched', 'AAPL');
    hub.add(healthy, 'enriched', 'AAPL');
    const errors: unknown[] = [];
    expect(hub.publish(aaplTrade, (error) => errors.push(error))).toBe(1);
    expect(healthy.received).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });
});
