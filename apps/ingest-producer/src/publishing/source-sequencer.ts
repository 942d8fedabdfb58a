import { randomUUID } from 'node:crypto';
import { buildSourceSequenceHeaders } from '@tickwire/contracts';
import type { OutgoingRecord } from '@tickwire/kafka';

/**
 * Numbers the raw records of one publishing session (see @tickwire/contracts SEQUENCE_HEADERS):
 * `tickwire-source-session` = this session's id, `tickwire-symbol-seq` = per symbol a contiguous
 * counter from 1 over every raw topic together. Numbers are given in call order, so the caller stamps
 * a record exactly when it hands it on to be sent, in send order (a consumer that has seen `n - 1` of
 * a symbol then has seen everything before `n`); dead letters are never stamped.
 */
export class SourceSequencer {
  private readonly last = new Map<string, number>();

  /** @param session the session id; default a random UUID (one per process start). */
  constructor(readonly session: string = randomUUID()) {}

  /** `record` with the next sequence of `symbol` added to its headers (existing headers kept). */
  stamp(record: OutgoingRecord, symbol: string): OutgoingRecord {
    const sequence = (this.last.get(symbol) ?? 0) + 1;
    this.last.set(symbol, sequence);
    return {
      ...record,
      headers: { ...record.headers, ...buildSourceSequenceHeaders({ session: this.session, sequence }) },
    };
  }
}
