#!/usr/bin/env python3
"""A small token server for a `docker-registry` running with `auth: token`.

The registry answers unauthenticated requests with
`401 WWW-Authenticate: Bearer realm="http://127.0.0.1:PORT/token",service=..,scope=..`;
clients then GET the realm with `?service=..&scope=repository:NAME:pull[,push]`
(anonymously, or with HTTP basic credentials) and retry with the token. This server
issues those tokens, as Docker Hub, GHCR and public ECR do:

- anonymous requests get `pull` on every repository except those under the private
  prefix (`private/` by default), for which they get a token with no access (the
  registry then answers 401, as public registries do for private images);
- a configured user with the right password gets `pull` everywhere, plus `push` when
  the user may push;
- a wrong user or password is answered `401` with a JSON error that never repeats
  the credentials.

Tokens are JWTs signed RS256 with the key whose self-signed certificate is the
registry's `rootcertbundle`; the certificate travels in the `x5c` header, which is how
distribution 2.x finds the signing key. Signing uses the `openssl` command line, so the
server needs nothing beyond Python's standard library and openssl.

Usage: registry-token-server.py CONFIG.json
  CONFIG: {"listen": "127.0.0.1:PORT", "issuer": .., "service": .., "key": KEY.pem,
           "cert": CERT.pem, "log": FILE, "private_prefix": "private/",
           "users": {"NAME": {"password": .., "push": true|false}}}
Every token request is logged to "log" as one JSON line (user, scopes asked, access
granted; never a password). GET /healthz answers 200.
"""

import base64
import binascii
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def cert_der_b64(cert_path: str) -> str:
    """The certificate's DER, standard base64 (what `x5c` holds): a PEM's body."""
    with open(cert_path, encoding="ascii") as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("-----")]
    return "".join(lines)


class TokenIssuer:
    def __init__(self, config):
        self.config = config
        self.x5c = cert_der_b64(config["cert"])
        self.private_prefix = config.get("private_prefix", "private/")
        self.users = config.get("users", {})
        self.log_lock = threading.Lock()

    def sign(self, signing_input: bytes) -> bytes:
        out = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.config["key"]],
            input=signing_input,
            capture_output=True,
            check=True,
        )
        return out.stdout

    def token(self, subject: str, access) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {
            "iss": self.config["issuer"],
            "sub": subject,
            "aud": self.config["service"],
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": binascii.hexlify(os.urandom(12)).decode("ascii"),
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        ).encode("ascii")
        return signing_input.decode("ascii") + "." + b64url(self.sign(signing_input))

    def user(self, authorization):
        """(user, ok): ("", True) when anonymous; (name, False) for bad credentials."""
        if not authorization:
            return "", True
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return "?", False
        try:
            name, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "?", False
        entry = self.users.get(name)
        if entry is None or not hmac.compare_digest(entry["password"], password):
            return name, False
        return name, True

    def access(self, user, scopes):
        granted = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3 or parts[0] != "repository":
                continue
            name, asked = ":".join(parts[1:-1]), parts[-1].split(",")
            allowed = set()
            if user:
                allowed.add("pull")
                if self.users[user].get("push"):
                    allowed.update(["push", "delete"])
            elif not name.startswith(self.private_prefix):
                allowed.add("pull")
            actions = [a for a in asked if a in allowed]
            granted.append({"type": "repository", "name": name, "actions": actions})
        return granted

    def log(self, entry):
        with self.log_lock, open(self.config["log"], "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def handler_for(issuer: TokenIssuer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # the JSON log is enough
            pass

        def send_json(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/healthz":
                self.send_json(200, {"ok": True})
                return
            if url.path != "/token":
                self.send_json(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
                return
            query = parse_qs(url.query)
            scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
            service = query.get("service", [""])[0]
            user, ok = issuer.user(self.headers.get("Authorization"))
            entry = {"user": user or "anonymous", "scopes": scopes, "service": service}
            if not ok:
                entry["result"] = "refused"
                issuer.log(entry)
                self.send_json(
                    401,
                    {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]},
                    [("WWW-Authenticate", 'Basic realm="cloud-cron test token server"')],
                )
                return
            if service != issuer.config["service"]:
                entry["result"] = "wrong service"
                issuer.log(entry)
                self.send_json(
                    400,
                    {"errors": [{"code": "DENIED", "message": f"unknown service `{service}`"}]},
                )
                return
            access = issuer.access(user, scopes)
            entry["result"] = "issued"
            entry["access"] = access
            issuer.log(entry)
            token = issuer.token(user, access)
            self.send_json(
                200,
                {
                    "token": token,
                    "access_token": token,
                    "expires_in": 300,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
            )

    return Handler


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)
    host, _, port = config["listen"].rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), handler_for(TokenIssuer(config)))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
