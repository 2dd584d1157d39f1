"""HTTP glue around independent implementations, for Fieldkit's interop suite (interop/run.ts).

The protocol checks are the libraries' own: oauthlib's SignatureOnlyEndpoint verifies OAuth 1.0a signatures, PyJWT
verifies RFC 7523 assertions (jwt-bearer grants and private_key_jwt client authentication). This file only routes
requests, holds the test credentials and answers 200 or 401/400. Started with a port and a JSON config on stdin;
prints "ready" when it listens. Standard library plus Debian's python3-oauthlib and python3-jwt.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_PLAINTEXT, SIGNATURE_RSA_SHA1

CONFIG = json.loads(sys.stdin.readline())
SEEN_NONCES = set()


class Validator(RequestValidator):
    """Credentials from CONFIG; nonce replay refused; every check the base class makes stays on."""

    allowed_signature_methods = (SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_RSA_SHA1, SIGNATURE_PLAINTEXT)
    enforce_ssl = False

    def check_client_key(self, key):
        return True  # Fieldkit's test keys are shorter than oauthlib's default 20-30 character rule

    def check_access_token(self, token):
        return True

    def check_nonce(self, nonce):
        return True

    @property
    def dummy_client(self):
        return "dummy-client"

    @property
    def dummy_access_token(self):
        return "dummy-token"

    def validate_client_key(self, client_key, request):
        return client_key == CONFIG["oauth1"]["consumerKey"]

    def validate_access_token(self, client_key, token, request):
        return token == CONFIG["oauth1"]["token"]

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        key = (client_key, timestamp, nonce)
        if key in SEEN_NONCES:
            return False
        SEEN_NONCES.add(key)
        return True

    def get_client_secret(self, client_key, request):
        return CONFIG["oauth1"]["consumerSecret"]

    def get_access_token_secret(self, client_key, token, request):
        return CONFIG["oauth1"]["tokenSecret"]

    def get_rsa_key(self, client_key, request):
        return CONFIG["oauth1"]["rsaPublicKey"]

    def validate_realms(self, *args, **kwargs):
        return True


ENDPOINT = SignatureOnlyEndpoint(Validator())


def key_for(token):
    """The public key for the assertion's algorithm family (ES* → the EC key, RS*/PS* → the RSA key)."""
    algorithm = jwt.get_unverified_header(token).get("alg", "")
    return CONFIG["jwt"]["publicKeys"]["ec" if algorithm.startswith("ES") else "rsa"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self.route(b"")

    def do_POST(self):
        self.route(self.body())

    def route(self, body):
        if self.path.startswith("/oauth1"):
            return self.oauth1(body)
        if self.path.startswith("/token"):
            return self.token(body)
        self.answer(404, {"error": "no route"})

    def oauth1(self, body):
        uri = "http://%s%s" % (self.headers["host"], self.path)
        headers = {k: v for k, v in self.headers.items()}
        valid, request = ENDPOINT.validate_request(uri, self.command, body.decode("utf-8") or None, headers)
        if valid:
            return self.answer(200, {"ok": True, "method": request.signature_method})
        self.answer(401, {"ok": False, "reason": getattr(request, "validator_log", {})})

    def token(self, body):
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        audience = CONFIG["tokenUrl"]
        try:
            if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                claims = jwt.decode(form.get("assertion", ""), key_for(form.get("assertion", "")),
                                    algorithms=["RS256", "ES256", "PS256"], audience=audience,
                                    options={"require": ["exp", "iss", "aud", "iat"]})
                if claims["iss"] != CONFIG["jwt"]["issuer"]:
                    raise jwt.InvalidIssuerError("issuer")
            elif form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                claims = jwt.decode(form.get("client_assertion", ""), key_for(form.get("client_assertion", "")),
                                    algorithms=["RS256", "ES256", "PS256"], audience=audience,
                                    options={"require": ["exp", "iss", "sub", "aud", "jti"]})
                if claims["iss"] != claims["sub"] or claims["iss"] != CONFIG["jwt"]["clientId"]:
                    raise jwt.InvalidIssuerError("iss and sub must be the client id")
            else:
                return self.answer(400, {"error": "unsupported_grant_type"})
        except jwt.PyJWTError as error:
            return self.answer(400, {"error": "invalid_grant", "error_description": type(error).__name__})
        self.answer(200, {"access_token": "at-%d" % int(time.time() * 1000), "token_type": "Bearer", "expires_in": 300})


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("ready", flush=True)
server.serve_forever()
