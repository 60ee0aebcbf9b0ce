"""A real SMTP server for Sealmail's delivery tests (aiosmtpd on loopback).

Every accepted message is written to FOLDER as NNNNNN.eml, its envelope in
two extra headers at the top (X-Sink-Mail-From, X-Sink-Rcpt-To). Each SMTP
session (EHLO) appends a line to FOLDER/sessions, so a test can count
connections. The file FOLDER/rules, read at every RCPT TO, makes the sink
refuse chosen recipients; one rule a line:

    bob@example.net 451 4.3.0 Try again later     (deferred by the sender)
    carol@example.org 550 5.1.1 No such user      (bounced)
    dave@example.net hang                          (never answers RCPT TO)
    erin@example.net accept-then-hang              (keeps the mail, never answers DATA)
    frank@example.net drop-in-data                 (closes the connection mid-DATA)

Usage: smtp_sink.py FOLDER [--port N] [--auth USER:PASSWORD]
Prints "ready PORT" on stdout once it accepts connections.
"""

import argparse
import asyncio
import logging
import os
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = len([n for n in os.listdir(folder) if n.endswith(".eml")])

    def rule_for(self, address):
        try:
            with open(os.path.join(self.folder, "rules"), encoding="utf-8") as rules:
                for line in rules:
                    parts = line.strip().split(None, 1)
                    if len(parts) == 2 and parts[0].lower() == address.lower():
                        return parts[1]
        except FileNotFoundError:
            pass
        return None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with open(os.path.join(self.folder, "sessions"), "a", encoding="utf-8") as log:
            log.write(f"{hostname}\n")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.rule_for(address)
        if answer == "hang":
            await asyncio.sleep(3600)
        if answer and answer not in ("accept-then-hang", "drop-in-data"):
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(self.rule_for(r) == "drop-in-data" for r in envelope.rcpt_tos):
            # The relay goes away before it answers: nothing kept, nothing said.
            server.transport.close()
            return "421 4.3.0 Closing"
        self.count += 1
        name = f"{self.count:06}.eml"
        head = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        # Written under another name and renamed: a reader never sees half a mail.
        temporary = os.path.join(self.folder, f".{name}.tmp")
        with open(temporary, "wb") as out:
            out.write(head + envelope.original_content)
        os.rename(temporary, os.path.join(self.folder, name))
        if any(self.rule_for(r) == "accept-then-hang" for r in envelope.rcpt_tos):
            # The mail is kept, but the sender never learns it: an unknown outcome.
            await asyncio.sleep(3600)
        return "250 2.0.0 Message accepted for delivery"


def authenticator_for(credentials):
    user, password = credentials.encode().split(b":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user
            and auth_data.password == password
        )
        return AuthResult(success=ok, handled=False)

    return authenticate


async def main():
    # Quiet about AUTH without TLS (loopback only) and its deprecations.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth", help="USER:PASSWORD; AUTH is then required")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    handler = Sink(args.folder)
    options = {}
    if args.auth:
        options = dict(
            authenticator=authenticator_for(args.auth),
            auth_required=True,
            # Loopback only: the test relay offers AUTH without TLS.
            auth_require_tls=False,
        )

    def factory():
        return SMTP(handler, hostname="sink.test", **options)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
