"""A real SMTP server (aiosmtpd) in the test process, as the mail sink."""

import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """aiosmtpd handler: refuses some recipients or all (550 at RCPT), defers the data
    (451) the first ``defer_data`` times, and keeps what it accepted and refused."""

    def __init__(self, *, refuse=(), refuse_all=False, defer_data=0):
        self.refuse = set(refuse)
        self.refuse_all = refuse_all
        self.defer_data = defer_data
        self.accepted = []
        self.refused = []

    async def handle_RCPT(self, _server, _session, envelope, address, _rcpt_options):
        if self.refuse_all or address in self.refuse:
            self.refused.append(address)
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        if self.defer_data:
            self.defer_data -= 1
            return "451 4.3.0 Try again later"
        self.accepted.append(envelope)
        return "250 Message accepted"


def start_sink(handler, settings) -> Controller:
    """Serve ``handler`` on a free port and send this process's mail there over SMTP."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "notifications.backends.SmtpBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return controller
