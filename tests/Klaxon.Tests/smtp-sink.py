"""A real SMTP server for the tests and the benchmark (aiosmtpd; run it with Debian's /usr/bin/python3).

    smtp-sink.py --port PORT --dir FOLDER [--reject a@x,b@y]

Listens on 127.0.0.1:PORT and writes each accepted message to FOLDER as NNNNNN.json: the envelope (mailFrom,
rcptTos), the headers, the subject, and the decoded text and HTML parts. Recipients named by --reject are refused
at RCPT with "550 5.1.1". Prints "ready PORT" once it listens, then runs until stopped (SIGTERM or SIGINT).
"""
import argparse
import email
import email.header
import itertools
import json
import os
import re
import signal
import threading

from aiosmtpd.controller import Controller


def header(value):
    # Unfold first (RFC 5322 2.2.3: a line break followed by white space is not part of the value).
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", str(value))
    return str(email.header.make_header(email.header.decode_header(unfolded)))


class Sink:
    def __init__(self, folder, reject):
        self.folder = folder
        self.reject = {r.lower() for r in reject}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # The compat32 parser is several times faster than policy.default; headers and parts are decoded by hand.
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        text = html = None
        for part in message.walk():
            if part.is_multipart():
                continue
            kind = part.get_content_type()
            if kind in ("text/plain", "text/html"):
                payload = part.get_payload(decode=True) or b""
                decoded = payload.decode(part.get_content_charset() or "utf-8", "replace")
                if kind == "text/plain" and text is None:
                    text = decoded
                elif kind == "text/html" and html is None:
                    html = decoded
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "subject": header(message.get("Subject", "")),
            "headers": {k: header(v) for k, v in message.items()},
            "text": text,
            "html": html,
        }
        with self.lock:
            number = next(self.counter)
        path = os.path.join(self.folder, "%06d-%d.json" % (number, os.getpid()))
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(temporary, path)  # readers never see half a file
        return "250 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default="")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    reject = [r.strip() for r in args.reject.split(",") if r.strip()]
    controller = Controller(Sink(args.dir, reject), hostname="127.0.0.1", port=args.port, ready_timeout=10)
    controller.start()
    print("ready %d" % args.port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
