"""Signs requests with botocore (Debian's python3-botocore) at a fixed time, for Fieldkit's interop suite.

Reads one JSON object on stdin: {"credentials": {...}, "time": "YYYY-MM-DDTHH:MM:SSZ", "requests": [{"method", "url",
"headers", "body", "service", "region", "unsignedPayload"}]}; prints a JSON list of botocore's Authorization headers.
The signing is botocore's SigV4Auth / S3SigV4Auth; this file only fixes the clock and the payload-signing switch.
"""
import datetime
import json
import sys
from unittest import mock

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

job = json.loads(sys.stdin.read())
c = job["credentials"]
credentials = Credentials(c["accessKeyId"], c["secretAccessKey"], c.get("sessionToken"))
fixed = datetime.datetime.strptime(job["time"], "%Y-%m-%dT%H:%M:%SZ")
out = []
for r in job["requests"]:
    request = AWSRequest(method=r["method"], url=r["url"], headers=r.get("headers") or {}, data=(r.get("body") or "").encode("utf-8"))
    if r.get("unsignedPayload"):
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    signer = (S3SigV4Auth if r["service"] == "s3" else SigV4Auth)(credentials, r["service"], r["region"])
    with mock.patch("botocore.auth.datetime") as clock:
        clock.datetime.utcnow.return_value = fixed
        clock.datetime.now.return_value = fixed
        signer.add_auth(request)
    out.append(request.headers["Authorization"])
print(json.dumps(out))
