/**
 * The GraphQL schema of the gateway (SDL): AppSync-style subscriptions with filters (operators eq,
 * ne, lt, le, gt, ge, in, notIn, between, beginsWith; `or` for alternatives), plus a snapshot query.
 * Prices USD, sizes shares, times epoch ms UTC (Float: GraphQL's Int is 32-bit).
 */
export const GATEWAY_SCHEMA_SDL = /* GraphQL */ `
  "Conditions on a text field; all given operators must hold."
  input StringFilter {
    eq: String
    ne: String
    lt: String
    le: String
    gt: String
    ge: String
    in: [String!]
    notIn: [String!]
    between: [String!]
    beginsWith: String
  }

  "Conditions on a number field; all given operators must hold. 'between' is inclusive [low, high]."
  input FloatFilter {
    eq: Float
    ne: Float
    lt: Float
    le: Float
    gt: Float
    ge: Float
    in: [Float!]
    notIn: [Float!]
    between: [Float!]
  }

  "Filter of enriched events. price = lastPrice. Fields are ANDed; 'or' needs one alternative to match."
  input EnrichedFilter {
    symbol: StringFilter
    kind: StringFilter
    price: FloatFilter
    lastPrice: FloatFilter
    changePercent: FloatFilter
    bidPrice: FloatFilter
    askPrice: FloatFilter
    previousClose: FloatFilter
    eventTime: FloatFilter
    or: [EnrichedFilter!]
  }

  "Filter of 1-minute bars. price = close."
  input BarFilter {
    symbol: StringFilter
    price: FloatFilter
    open: FloatFilter
    high: FloatFilter
    low: FloatFilter
    close: FloatFilter
    vwap: FloatFilter
    volume: FloatFilter
    tradeCount: FloatFilter
    eventTime: FloatFilter
    or: [BarFilter!]
  }

  "Filter of alerts. price and changePercent exist on price-change-threshold alerts only."
  input AlertFilter {
    symbol: StringFilter
    alertType: StringFilter
    direction: StringFilter
    cross: StringFilter
    price: FloatFilter
    changePercent: FloatFilter
    eventTime: FloatFilter
    or: [AlertFilter!]
  }

  "Filter of corrections and cancels. price = correctedPrice (corrections), else originalPrice."
  input CorrectionFilter {
    symbol: StringFilter
    kind: StringFilter
    outcome: StringFilter
    price: FloatFilter
    eventTime: FloatFilter
    or: [CorrectionFilter!]
  }

  "Filter of trading statuses."
  input StatusFilter {
    symbol: StringFilter
    state: StringFilter
    statusCode: StringFilter
    reasonCode: StringFilter
    eventTime: FloatFilter
    or: [StatusFilter!]
  }

  type Trade {
    price: Float!
    size: Float!
    aggressorSide: String
    venue: String
    tradeId: String
    sequence: Float
  }

  type Quote {
    bidPrice: Float!
    bidSize: Float!
    askPrice: Float!
    askSize: Float!
    venue: String
    sequence: Float
  }

  "A trade or quote with per-symbol enrichment (market.enriched.v1)."
  type EnrichedEvent {
    id: ID!
    symbol: String!
    eventTime: Float!
    "When Tickwire first received the raw record behind it, epoch ms UTC (receive time minus this = end-to-end latency)."
    ingestTime: Float!
    kind: String!
    trade: Trade
    quote: Quote
    lastPrice: Float
    previousClose: Float
    previousCloseDate: String
    "True when previousCloseDate is older than the session before this event's (a stale close: no price-change alerts)."
    previousCloseStale: Boolean
    changePercent: Float
    bidPrice: Float
    askPrice: Float
    bidSize: Float
    askSize: Float
    smaFast: Float
    smaSlow: Float
    emaFast: Float
    emaSlow: Float
    fastPeriod: Int
    slowPeriod: Int
  }

  "A 1-minute OHLCV bar over [startTime, endTime) (market.bar.1m.v1)."
  type Bar {
    id: ID!
    symbol: String!
    eventTime: Float!
    "When Tickwire received the trade (or clock advance) that closed the bar, epoch ms UTC."
    ingestTime: Float!
    startTime: Float!
    endTime: Float!
    open: Float!
    high: Float!
    low: Float!
    close: Float!
    vwap: Float!
    volume: Float!
    tradeCount: Float!
    "Absent on the first publication; 1, 2, ... when a correction or cancel restated the bar (same id, the higher revision wins)."
    revision: Int
    "Id of the correction or cancel behind this revision."
    restatedBy: String
  }

  "A trade corrected or cancelled, as applied to the bars (market.correction.v1). Prices USD, sizes shares."
  type Correction {
    id: ID!
    symbol: String!
    eventTime: Float!
    ingestTime: Float!
    "correction, cancel or error"
    kind: String!
    sourceEventId: String!
    tradeId: String!
    originalPrice: Float!
    originalSize: Float!
    correctedTradeId: String
    correctedPrice: Float
    correctedSize: Float
    "restated, pending, bar-emptied or not-found"
    outcome: String!
    "The 1-minute bar that held the trade, <symbol>:<startTime>."
    barId: String
    barRevision: Int
  }

  "A halt, pause or resumption (market.halt.v1): halted is the symbol's flag after it."
  type TradingStatus {
    id: ID!
    symbol: String!
    eventTime: Float!
    ingestTime: Float!
    halted: Boolean!
    "halted, quoting, trading or other"
    state: String!
    statusCode: String!
    statusMessage: String
    reasonCode: String
    reasonMessage: String
    sourceEventId: String!
  }

  "An alert (market.alert.v1); the fields of other alert types are null."
  type Alert {
    id: ID!
    symbol: String!
    eventTime: Float!
    "When Tickwire received the record that raised it (bar alerts: that closed the bar), epoch ms UTC."
    ingestTime: Float!
    alertType: String!
    direction: String
    thresholdPercent: Float
    changePercent: Float
    price: Float
    previousClose: Float
    cross: String
    movingAverage: String
    fastPeriod: Int
    slowPeriod: Int
    fastValue: Float
    slowValue: Float
    volume: Float
    meanVolume: Float
    multiplier: Float
    lookbackBars: Int
    barStartTime: Float
  }

  "State of a symbol after the latest event the gateway consumed (the shape of DynamoDB symbol-state)."
  type SymbolSnapshot {
    symbol: String!
    lastEventTime: Float!
    lastPrice: Float
    previousClose: Float
    previousCloseDate: String
    changePercent: Float
    bidPrice: Float
    askPrice: Float
    bidSize: Float
    askSize: Float
    "Whether trading is halted after the latest trading status (market.halt.v1); false before any."
    halted: Boolean
  }

  type Query {
    "State of a symbol, the same as GET /v1/snapshots/:symbol; null when there is none."
    snapshot(symbol: String!): SymbolSnapshot
  }

  type Subscription {
    "Enriched trades and quotes matching the filter (all entitled symbols when omitted)."
    enriched(filter: EnrichedFilter): EnrichedEvent!
    "1-minute bars matching the filter."
    bars(filter: BarFilter): Bar!
    "Alerts matching the filter."
    alerts(filter: AlertFilter): Alert!
    "Trade corrections and cancels matching the filter, with the restated bar's id and revision."
    corrections(filter: CorrectionFilter): Correction!
    "Halts, pauses and resumptions matching the filter."
    statuses(filter: StatusFilter): TradingStatus!
  }
`;
