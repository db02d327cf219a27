#!/usr/bin/python3
"""A real SMTP relay for the tests and benchmarks: aiosmtpd on loopback.

Each message it accepts is written to DIR as NNNNNN.eml (the bytes as
received) and NNNNNN.json: the envelope and what Python's email package
decodes of it (subject, addresses with display names, threading headers,
the text and HTML parts), so that a test reads what a mail client would
show. It prints "READY <port>" on standard output once it listens.

    smtp-sink.py --dir DIR [--port N] [--tls CERT KEY] [--require-tls]
                 [--auth USER:PASSWORD] [--reject REGEX] [--defer REGEX]
                 [--hang] [--count-only] [--delay MS]
                 [--forward-to URL --forward-key KEY]

--reject answers RCPT TO of matching addresses with 550, --defer with 451;
--hang accepts connections and never says a word (a relay that hangs);
--count-only keeps no files, only DIR/count (for benchmarks);
--forward-to posts each message it accepts, as it came, to a portal's mail
gate (X-Helpdesk-Mailgate-Key: KEY): the mail server of another portal.
"""

import argparse
import asyncio
import email
import email.header
import email.policy
import email.utils
import logging
import json
import os
import re
import signal
import socket
import ssl
import sys
import urllib.request
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, opts):
        self.opts = opts
        self.dir = opts.dir
        self.n = 0
        self.sessions = 0
        self.reject = re.compile(opts.reject) if opts.reject else None
        self.defer = re.compile(opts.defer) if opts.defer else None

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.reject and self.reject.search(address):
            return '550 5.1.1 <%s>: Recipient address rejected: no such user' % address
        if self.defer and self.defer.search(address):
            return '451 4.3.0 <%s>: Temporary failure, try again later' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.opts.delay:
            # a slow relay: each message takes this long to be accepted
            await asyncio.sleep(self.opts.delay / 1000)
        self.n += 1
        n = self.n
        # which connection it came on: a client that reuses them shows it
        if not hasattr(session, 'hd_id'):
            self.sessions += 1
            session.hd_id = self.sessions
        if self.opts.count_only:
            return '250 2.0.0 Ok: queued as %06d' % n

        name = os.path.join(self.dir, '%06d' % n)
        with open(name + '.tmp', 'wb') as f:
            f.write(envelope.original_content or envelope.content)
        summary = describe(envelope.original_content or envelope.content)
        summary.update({
            'n': n,
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': session.ssl is not None,
            'auth': session.authenticated,
            'peer': session.peer[0] if session.peer else None,
            'session': session.hd_id,
        })
        with open(name + '.json.tmp', 'w', encoding='utf-8') as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
        # the .eml last: a reader that sees it sees the summary too
        os.rename(name + '.json.tmp', name + '.json')
        os.rename(name + '.tmp', name + '.eml')
        if self.opts.forward_to:
            # delivered on: not in the loop, as an MTA hands mail to a pipe
            asyncio.get_running_loop().run_in_executor(
                None, self.forward, envelope.original_content or envelope.content)
        return '250 2.0.0 Ok: queued as %06d' % n

    def forward(self, raw):
        req = urllib.request.Request(self.opts.forward_to, data=raw, method='POST',
                                     headers={'Content-Type': 'message/rfc822',
                                              'X-Helpdesk-Mailgate-Key': self.opts.forward_key})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = r.read().decode()
        except Exception as e:
            answer = 'error: %s' % e
        with open(os.path.join(self.dir, 'forwarded.log'), 'a') as f:
            f.write(answer.replace('\n', ' ') + '\n')

    def write_count(self):
        with open(os.path.join(self.dir, 'count.tmp'), 'w') as f:
            f.write('%d\n' % self.n)
        os.rename(os.path.join(self.dir, 'count.tmp'),
                  os.path.join(self.dir, 'count'))


def addresses(msg, name):
    """A header's mailboxes, display names decoded.

    Not through email.policy.default's address parser: it keeps the folding
    white space between two encoded-words of a display name ("поддержки
    «КриптоПро»" comes out with two spaces), which RFC 2047 6.2 says to
    ignore. The raw header is split into mailboxes first (an encoded name
    has no comma or quote to confuse that), then each name is decoded by the
    email package's header decoder, which does it right.
    """
    out = []
    for k, v in msg.raw_items():
        if k.lower() != name:
            continue
        v = re.sub(r'\r?\n(?=[ \t])', '', v)
        for display, addr in email.utils.getaddresses([v]):
            display = str(email.header.make_header(
                email.header.decode_header(display)))
            out.append({'name': display, 'address': addr})
    return out


def describe(raw):
    """What a mail client shows of the message, decoded."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {'headers': {}, 'defects': [], 'parts': []}
    for k in msg.keys():
        # every occurrence: a header given twice (injection) shows as a list
        vals = [str(v) for v in msg.get_all(k)]
        out['headers'].setdefault(k.lower(), []).extend(vals)
    out['subject'] = str(msg['subject']) if msg['subject'] is not None else None
    out['from'] = addresses(msg, 'from')
    out['to'] = addresses(msg, 'to')
    for k in ('message-id', 'in-reply-to', 'references', 'date',
              'auto-submitted', 'list-unsubscribe', 'list-unsubscribe-post',
              'content-type', 'mime-version'):
        out[k] = str(msg[k]) if msg[k] is not None else None
    for part in msg.walk():
        out['defects'].extend(str(d) for d in part.defects)
        if part.is_multipart():
            out['parts'].append({'type': part.get_content_type()})
            continue
        info = {'type': part.get_content_type(),
                'charset': part.get_content_charset(),
                'encoding': part.get('content-transfer-encoding')}
        out['parts'].append(info)
        if part.get_content_maintype() == 'text':
            text = part.get_content()
            key = 'html' if part.get_content_subtype() == 'html' else 'text'
            out.setdefault(key, text)
    # the longest line as sent, for RFC 5322's 998
    out['longest_line'] = max((len(l) for l in raw.split(b'\n')), default=0)
    return out


def authenticator(expected):
    user, _, password = expected.partition(':')

    def check(server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword) and \
           data.login.decode() == user and data.password.decode() == password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
    return check


async def hang(reader, writer):
    # a relay that accepts and never answers
    await asyncio.sleep(3600)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument('--dir', required=True)
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'))
    p.add_argument('--require-tls', action='store_true')
    p.add_argument('--auth')
    p.add_argument('--reject')
    p.add_argument('--defer')
    p.add_argument('--hang', action='store_true')
    p.add_argument('--count-only', action='store_true')
    p.add_argument('--delay', type=int, default=0, help='ms before each 250')
    p.add_argument('--forward-to')
    p.add_argument('--forward-key')
    opts = p.parse_args()

    os.makedirs(opts.dir, exist_ok=True)
    loop = asyncio.get_running_loop()
    sink = Sink(opts)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', opts.port))

    if opts.hang:
        server = await asyncio.start_server(hang, sock=sock)
    else:
        tls = None
        if opts.tls:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*opts.tls)
        kw = dict(hostname='sink.test', enable_SMTPUTF8=True,
                  tls_context=tls, require_starttls=opts.require_tls,
                  data_size_limit=64 * 1024 * 1024)
        if opts.auth:
            kw.update(authenticator=authenticator(opts.auth),
                      auth_required=True, auth_require_tls=bool(opts.tls))
        server = await loop.create_server(lambda: SMTP(sink, **kw), sock=sock)

    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)

    async def counting():
        # the count for a benchmark, ten times a second (and when it stops)
        while True:
            sink.write_count()
            await asyncio.sleep(0.1)

    if opts.count_only:
        counter = asyncio.ensure_future(counting())

    print('READY %d' % sock.getsockname()[1], flush=True)
    await stop.wait()
    server.close()
    if opts.count_only:
        sink.write_count()


if __name__ == '__main__':
    # aiosmtpd 1.4 logs a warning about its own use of Session.login_data
    # at every AUTH
    logging.getLogger('mail.log').setLevel(logging.ERROR)
    warnings.filterwarnings('ignore', category=DeprecationWarning)
    try:
        # libuv's loop: the same aiosmtpd at a fraction of the CPU, so
        # that a benchmark on a small machine measures the portal rather
        # than the relay (asyncio's own loop when it is not installed)
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())
