"""A mail sink for accountmail's SMTP test: Python's stdlib smtpd server on
127.0.0.1, a free port. Prints {"port": N} once listening, then one JSON
line per message received: {"mailfrom", "rcpttos", "data" (base64 of the
DATA bytes, dot-unstuffed, CRLF line ends as sent)}. Exits when its
standard input closes (the Go test ended). Needs Python <= 3.11 (smtpd was
removed in 3.12)."""

import asyncore
import base64
import json
import os
import sys
import threading
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import smtpd  # noqa: E402


class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        print(json.dumps({"mailfrom": mailfrom, "rcpttos": rcpttos,
                          "data": base64.b64encode(data).decode("ascii")}), flush=True)


def main():
    server = Sink(("127.0.0.1", 0), None, decode_data=False)
    print(json.dumps({"port": server.socket.getsockname()[1]}), flush=True)

    def watch():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    asyncore.loop(timeout=0.2)


if __name__ == "__main__":
    main()
