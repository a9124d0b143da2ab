"""A real SMTP server for the tests and the benchmark (aiosmtpd; run it with Debian's /usr/bin/python3).

    smtp-sink.py --port PORT --dir FOLDER [--reject a@x,b@y] [--workers N]

Listens on 127.0.0.1:PORT and writes each accepted message to FOLDER as NNNNNN-PID.json: the envelope (mailFrom,
rcptTos), the headers, the subject, and the decoded text and HTML parts. Recipients named by --reject are refused
at RCPT with "550 5.1.1". Prints "ready PORT" once it listens, then runs until stopped (SIGTERM or SIGINT).
With --workers N (default 1), N processes share the port (SO_REUSEPORT) and the kernel spreads connections
over them, as a mail relay with several workers would; file names then order messages per process only.
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


class SharedPortController(Controller):
    """A controller whose listening socket shares its port with the other workers' (SO_REUSEPORT)."""

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, host=self.hostname, port=self.port, reuse_port=True)

    def _trigger_server(self):
        # The library checks its server by connecting to it, but another worker may take that connection;
        # this worker's protocol factory is run directly instead.
        self._factory_invoker()


def serve(args, reject, ready):
    """Runs one worker until SIGTERM or SIGINT; calls ready() once it listens."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller = SharedPortController(Sink(args.dir, reject), hostname="127.0.0.1", port=args.port, ready_timeout=10)
    controller.start()
    ready()
    while not stop.wait(0.5):
        pass
    controller.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", default="")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    reject = [r.strip() for r in args.reject.split(",") if r.strip()]
    # The other workers are forked before any thread starts; each says it listens through the pipe.
    read_end, write_end = os.pipe()
    children = []
    for _ in range(max(1, args.workers) - 1):
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            serve(args, reject, lambda: os.write(write_end, b"r"))
            os._exit(0)
        children.append(pid)
    os.close(write_end)

    def ready():
        for _ in children:
            if os.read(read_end, 1) != b"r":
                raise SystemExit("a worker of the SMTP sink did not start")
        print("ready %d" % args.port, flush=True)

    try:
        serve(args, reject, ready)
    finally:
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
