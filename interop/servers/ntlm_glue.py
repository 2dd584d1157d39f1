"""An HTTP server whose NTLM is the gss-ntlmssp acceptor's, driven through python-gssapi, for Fieldkit's interop suite.

One security context per keep-alive connection (NTLM authenticates the connection, not the request): a request
without credentials gets `401 WWW-Authenticate: NTLM` (or `Negotiate` under /negotiate), a NEGOTIATE token gets the
acceptor's CHALLENGE, an AUTHENTICATE token is verified by gss-ntlmssp against NTLM_USER_FILE (DOMAIN:user:password
lines). This file only moves tokens between HTTP headers and gssapi; it answers 200 with the name gss-ntlmssp
authenticated. Prints "ready" when it listens. Debian packages: gss-ntlmssp, python3-gssapi.
"""
import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gssapi

NTLMSSP = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
CREDS = gssapi.Credentials(usage="accept", mechs=[NTLMSSP])
CONNECTIONS = {"count": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        CONNECTIONS["count"] += 1
        self.context = None
        self.user = None

    def log_message(self, *args):
        pass

    def reply(self, status, body, challenge=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        if challenge is not None:
            self.send_header("www-authenticate", challenge)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_auth()

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.handle_auth()

    def handle_auth(self):
        scheme = "Negotiate" if self.path.startswith("/negotiate") else "NTLM"
        if self.path.startswith("/stats"):
            return self.reply(200, {"connections": CONNECTIONS["count"]})
        if self.user is not None:
            return self.reply(200, {"user": self.user, "method": self.command, "reused": True})
        header = self.headers.get("authorization") or ""
        if not header.startswith(scheme + " "):
            self.context = None
            return self.reply(401, {"error": "no credentials"}, scheme)
        token = base64.b64decode(header[len(scheme) + 1:])
        if self.context is None or token[8:12] == b"\x01\x00\x00\x00":
            self.context = gssapi.SecurityContext(creds=CREDS, usage="accept")
        try:
            out = self.context.step(token)
        except gssapi.exceptions.GSSError as error:
            self.context = None
            return self.reply(401, {"error": "refused", "gss": str(error).splitlines()[0][:120]}, scheme)
        if not self.context.complete:
            return self.reply(401, {"step": "challenge"}, "%s %s" % (scheme, base64.b64encode(out).decode()))
        self.user = str(self.context.initiator_name)
        self.reply(200, {"user": self.user, "method": self.command, "reused": False})


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
print("ready", flush=True)
server.serve_forever()
