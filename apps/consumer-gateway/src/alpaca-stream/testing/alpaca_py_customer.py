"""A customer's alpaca-py program against /v2/tickwire, driven by alpaca-stream.int-spec.ts.

Uses the unmodified SDK as its README shows: StockDataStream(key, secret, url_override=...),
subscribe_trades/quotes/bars with async handlers, run() (here on a thread), unsubscribe_*, stop().
Prints one JSON object per line on stdout:
  {"type": "log", "msg": ...}         the SDK's own log lines (subscriptions, errors)
  {"type": "trade" | "quote" | "bar", ...}   each message as the SDK parsed it
Reads commands on stdin: "unsubscribe" (every channel of the symbol), "stop".

Usage: alpaca_py_customer.py URL KEY_ID SECRET SYMBOL
"""
import json
import logging
import sys
import threading

from alpaca.data.live import StockDataStream


def emit(obj):
    print(json.dumps(obj), flush=True)


class SdkLog(logging.Handler):
    def emit(self, record):
        emit({"type": "log", "msg": record.getMessage()})


def main():
    url, key_id, secret, symbol = sys.argv[1:5]
    logger = logging.getLogger("alpaca.data.live.websocket")
    logger.setLevel(logging.INFO)
    logger.addHandler(SdkLog())
    logger.propagate = False

    stream = StockDataStream(key_id, secret, url_override=url)

    async def on_trade(trade):
        emit({"type": "trade", "symbol": trade.symbol, "price": trade.price, "size": trade.size, "id": trade.id,
              "exchange": str(trade.exchange.value if hasattr(trade.exchange, "value") else trade.exchange),
              "conditions": trade.conditions, "timestamp": trade.timestamp.isoformat()})

    async def on_quote(quote):
        emit({"type": "quote", "symbol": quote.symbol, "bid_price": quote.bid_price, "bid_size": quote.bid_size,
              "ask_price": quote.ask_price, "ask_size": quote.ask_size, "timestamp": quote.timestamp.isoformat()})

    async def on_bar(bar):
        emit({"type": "bar", "symbol": bar.symbol, "open": bar.open, "high": bar.high, "low": bar.low, "close": bar.close,
              "volume": bar.volume, "vwap": bar.vwap, "trade_count": bar.trade_count, "timestamp": bar.timestamp.isoformat()})

    stream.subscribe_trades(on_trade, symbol)
    stream.subscribe_quotes(on_quote, symbol)
    stream.subscribe_bars(on_bar, symbol)
    runner = threading.Thread(target=stream.run, daemon=True)
    runner.start()
    for line in sys.stdin:
        command = line.strip()
        if command == "unsubscribe":
            stream.unsubscribe_trades(symbol)
            stream.unsubscribe_quotes(symbol)
            stream.unsubscribe_bars(symbol)
            emit({"type": "unsubscribed"})
        elif command == "stop":
            break
    stream.stop()
    runner.join(timeout=10)
    emit({"type": "stopped"})


if __name__ == "__main__":
    main()
