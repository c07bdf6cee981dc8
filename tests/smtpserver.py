"""A real SMTP server on loopback (aiosmtpd), for the mail tests and bench/bench_mail.py.

It counts what it accepted per recipient, can be slow (as a municipal relay is), refuses
some addresses for good (550) and others once (451), and tells a test when a message is
being received, so that the test can kill the sender in the middle of it.
"""

import asyncio
import socket
import threading
from collections import Counter
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, *, delay: float = 0.0, refuse=(), refuse_once=()):
        self.delay = delay
        self.refuse = set(refuse)
        self.refuse_once = set(refuse_once)
        self.refused_once = set()
        self.received = Counter()  # recipient -> messages accepted
        self.messages = 0
        self.receiving = threading.Event()  # set while a message's DATA is being taken in
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        if address in self.refuse_once and address not in self.refused_once:
            self.refused_once.add(address)
            return f"451 4.7.1 <{address}>: Recipient address rejected: Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        try:
            # A client that goes away now cancels this coroutine: the message is not accepted.
            await asyncio.sleep(self.delay)
        finally:
            self.receiving.clear()
        with self._lock:
            self.received.update(envelope.rcpt_tos)
            self.messages += 1
        return "250 2.0.0 Ok: queued"

    def total(self) -> int:
        with self._lock:
            return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(handler: Handler, *, port: int | None = None):
    """Run *handler* on *port* (a free loopback port if None); yield the port."""
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
