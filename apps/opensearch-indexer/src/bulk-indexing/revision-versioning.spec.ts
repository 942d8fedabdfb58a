import { BAR_1M_V1_FIXTURES, ENRICHED_V1_FIXTURES, type TickwireEvent } from '@tickwire/contracts';
import { toOperation } from './bulk-indexing.service';

const bar = BAR_1M_V1_FIXTURES[0]!.event as TickwireEvent;
const action = (event: TickwireEvent, topic: string) => JSON.parse(toOperation(topic, event).ndjson.split('\n')[0]!) as { index: Record<string, unknown> };

describe('toOperation: 1-minute bars are versioned by revision', () => {
  it('writes a first publication as external version 1 and revision n as n + 1 (external_gte), same _id', () => {
    expect(action(bar, 'market.bars.1m.v1').index).toMatchObject({ _id: 'AAPL:1340285400000', version: 1, version_type: 'external_gte' });
    const restated = { ...bar, payload: { ...(bar.payload as object), revision: 2, restatedBy: 'x' } } as TickwireEvent;
    expect(action(restated, 'market.bars.1m.v1').index).toMatchObject({ _id: 'AAPL:1340285400000', version: 3, version_type: 'external_gte' });
  });

  it('leaves other streams last-write-wins (no version)', () => {
    const enriched = ENRICHED_V1_FIXTURES[0]!.event as TickwireEvent;
    expect(action(enriched, 'market.enriched.v1').index).not.toHaveProperty('version');
  });
});
