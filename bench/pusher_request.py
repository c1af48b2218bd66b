"""One Pusher-signed publish as raw HTTP/1.1 bytes, for the bench's Python load scripts (burst.py, slowloris.py)."""
import hashlib
import hmac
import json
import time


def signed_publish(app, key, secret, name, channel, data, ts=None):
    body = json.dumps({"name": name, "channels": [channel], "data": data}, separators=(",", ":"))
    path = f"/apps/{app}/events"
    md5 = hashlib.md5(body.encode()).hexdigest()
    query = f"auth_key={key}&auth_timestamp={int(time.time()) if ts is None else ts}&auth_version=1.0&body_md5={md5}"
    sig = hmac.new(secret.encode(), f"POST\n{path}\n{query}".encode(), hashlib.sha256).hexdigest()
    return (f"POST {path}?{query}&auth_signature={sig} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
