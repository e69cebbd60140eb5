"""Hostile HTTP requests against a running ``ytrec serve``, sent byte-exact (no client normalizes them).

Each request is a ``Hostile``: a label, the raw method / target / headers / body, and optionally the
status it must get. The checks that apply to all of them (no 5xx, no traceback, no file content
from outside the bundle) live in the test module.
"""

from __future__ import annotations

import io
import json
import socket
import struct
import zlib
from dataclasses import dataclass, field

from PIL import Image

SENTINEL = "h6-SENTINEL-outside-the-bundle"  # written into a file beside the bundle folder
LEAK_MARKERS = (SENTINEL, "root:x:0:0", "[boot loader]", "BEGIN RSA PRIVATE KEY")
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', ".py\", line ")

TRAVERSALS = [
    "../../../../../../etc/passwd",
    "..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "..%252F..%252F..%252F..%252Fetc%252Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "%2e%2e%2f%2e%2e%2fsecret.txt",
    "..%5C..%5Csecret.txt",
    "....//....//....//etc/passwd",
    "%2Fetc%2Fpasswd",
    "..%00/secret.txt",
    "%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afsecret.txt",
    "..;/..;/secret.txt",
]


@dataclass
class Hostile:
    label: str
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect: set[int] | None = None  # statuses allowed besides "any 4xx or 2xx"


def send(port: int, request: Hostile, timeout: float = 60.0) -> tuple[int, bytes]:
    """Send ``request`` as raw bytes; (status, body). A closed connection without an answer is (0, b"")."""
    headers = {"Host": f"127.0.0.1:{port}", "Connection": "close", **request.headers}
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        headers.setdefault("Content-Length", str(len(request.body)))
    head = f"{request.method} {request.target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(head.encode("latin-1") + b"\r\n" + request.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused mid-upload; read what it answered
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    raw = b"".join(chunks)
    if not raw:
        return 0, b""
    status_line, _, rest = raw.partition(b"\r\n")
    status = int(status_line.split()[1])
    _, _, body = rest.partition(b"\r\n\r\n")
    return status, body


def _png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _zero_bomb() -> bytes:
    """A real decompression bomb: 12,000 x 12,000 black pixels in a few kilobytes of PNG."""
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]], boundary: str = "h6boundary") -> tuple[bytes, str]:
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


PAGE_PARAMETERS = {"/": ["q", "channel", "page", "seed"], "/search": ["q", "k"], "/videos/{video_id}": ["mode", "balance", "k"]}


def every_parameter_traversals(openapi: dict, video_id: str, api_key: str) -> list[Hostile]:
    """Each traversal string in every path and query parameter of every GET/DELETE route the server
    documents (its OpenAPI schema) and of the pages, one parameter at a time (the others valid)."""
    routes: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if method.upper() in ("GET", "DELETE"):
                params = [(p["name"], p["in"]) for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
                routes[(method.upper(), path)] = params
    for path, names in PAGE_PARAMETERS.items():
        path_params = [("video_id", "path")] if "{video_id}" in path else []
        routes.setdefault(("GET", path), path_params + [(name, "query") for name in names])
    out = []
    for (method, path), params in sorted(routes.items()):
        headers = {"X-API-Key": api_key} if method == "DELETE" else {}
        for name, where in params:
            if method == "DELETE" and where == "path":
                continue  # a traversal id with the right key: covered by "delete path" below, 404 each
            for t in TRAVERSALS:
                target = path
                for other, other_where in params:
                    if other_where == "path":
                        target = target.replace("{%s}" % other, t if other == name else video_id)
                if where == "query":
                    target += f"?{name}={t}"
                out.append(Hostile(f"{method} {path} {where} {name}={t}", method, target, headers))
    return out


def hostile_requests(video_id: str, api_key: str, max_upload_bytes: int) -> list[Hostile]:
    """At least 100 requests: traversal, uploads, bombs, numbers, nesting, floods, methods, keys."""
    out: list[Hostile] = []
    # path traversal in every path parameter and in the query parameters, plain / encoded / double-encoded
    for t in TRAVERSALS:
        out += [
            Hostile(f"thumb path {t}", "GET", f"/thumbs/{t}.jpg"),
            Hostile(f"thumb path no suffix {t}", "GET", f"/thumbs/{t}"),
            Hostile(f"video path {t}", "GET", f"/api/videos/{t}"),
            Hostile(f"recommendations path {t}", "GET", f"/api/videos/{t}/recommendations"),
            Hostile(f"page path {t}", "GET", f"/videos/{t}"),
            Hostile(f"static path {t}", "GET", f"/static/{t}"),
            Hostile(f"browse q/channel {t}", "GET", f"/api/videos?q={t}&channel={t}"),
            Hostile(f"search q {t}", "GET", f"/api/search?q={t}"),
            Hostile(f"page search q {t}", "GET", f"/search?q={t}"),
            Hostile(f"mode {t}", "GET", f"/api/videos/{video_id}/recommendations?mode={t}", expect={400, 422}),
            Hostile(f"delete path {t}", "DELETE", f"/api/videos/{t}", {"X-API-Key": api_key}),
        ]
    good = f"/api/videos/{video_id}/recommendations"
    # NaN / inf / huge / negative numbers in every numeric parameter
    for name in ("k", "w_thumbnail", "w_title", "w_lexical", "ef_search", "nprobe", "rerank"):
        for value in ("NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1", "99999999999999999999999999", "0x10", ""):
            out.append(Hostile(f"{name}={value}", "GET", f"{good}?{name}={value}"))
    for name in ("page", "per_page", "seed"):
        for value in ("NaN", "-1", "0", "99999999999999999999999999", "1e309", "-99999999999999999999"):
            out.append(Hostile(f"browse {name}={value}", "GET", f"/api/videos?{name}={value}"))
    out.append(Hostile("search k huge", "GET", "/api/search?q=a&k=99999999999999999999"))
    out.append(Hostile("search q 100 KB", "GET", "/api/search?q=" + "a" * 100_000))
    # JSON bodies: NaN/inf literals, huge numbers, deep nesting, wrong types, not JSON
    feedback = "/api/recommendations/feedback"
    json_headers = {"Content-Type": "application/json"}
    bodies = {
        "NaN weights": '{"liked": ["%s"], "weights": {"title": NaN, "thumbnail": Infinity}}' % video_id,
        "-Infinity k": '{"liked": ["%s"], "k": -Infinity}' % video_id,
        "1e400 k": '{"liked": ["%s"], "k": 1e400}' % video_id,
        "10^100 k": '{"liked": ["%s"], "k": %s}' % (video_id, "1" + "0" * 100),
        "5000-digit k": '{"liked": ["%s"], "k": %s}' % (video_id, "9" * 5000),
        "huge mmr": '{"liked": ["%s"], "mmr": 1e308, "channel_cap": -5}' % video_id,
        "nested 100000": '{"liked": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested objects 50000": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "liked not a list": '{"liked": {"$ne": null}}',
        "liked traversal": '{"liked": ["../../../../etc/passwd"]}',
        "10000 liked ids": json.dumps({"liked": [f"id{i}" for i in range(10_000)]}),
        "not json": "{liked: [",
        "empty": "",
        "bare NaN": "NaN",
        "array": "[]",
        "invalid utf-8": None,
    }
    for label, text in bodies.items():
        body = b'{"liked": ["\xff\xfe"]}' if text is None else text.encode()
        out.append(Hostile(f"feedback {label}", "POST", feedback, json_headers, body))
    out.append(Hostile("feedback json as text/plain", "POST", feedback, {"Content-Type": "text/plain"}, b'{"liked": []}'))
    # uploads: oversized, lying lengths, malformed multipart, bombs
    big, ctype = multipart({"title": "big"}, {"image": ("a.jpg", b"\xff" * (max_upload_bytes + 1024))})
    out.append(Hostile("upload over the limit", "POST", "/api/recommendations", {"Content-Type": ctype}, big, {413}))
    out.append(Hostile("declared 1 TB body", "POST", "/api/recommendations",
                       {"Content-Type": ctype, "Content-Length": str(2**40)}, b"", {413}))
    out.append(Hostile("negative content-length", "POST", "/api/recommendations",
                       {"Content-Type": ctype, "Content-Length": "-5"}, b""))
    for label, image in (("declared 60000x60000 png", _png(60_000, 60_000)), ("12000x12000 zero bomb", _zero_bomb()),
                         ("random bytes", bytes(range(256)) * 8), ("empty image", b""),
                         ("truncated png", _png(64, 64)[:40])):
        body, ctype = multipart({"title": "bomb test"}, {"image": ("x.png", image)})
        out.append(Hostile(f"upload {label}", "POST", "/api/recommendations", {"Content-Type": ctype}, body))
        out.append(Hostile(f"page upload {label}", "POST", "/new", {"Content-Type": ctype}, body))
    body, _ = multipart({"title": "t"}, {})
    malformed = {
        "no boundary": (body, "multipart/form-data"),
        "wrong boundary": (body, "multipart/form-data; boundary=other"),
        "unterminated": (body[:-8], "multipart/form-data; boundary=h6boundary"),
        "garbage": (b"\x00\x01\x02" * 100, "multipart/form-data; boundary=h6boundary"),
        "5000 fields": multipart({f"f{i}": "x" for i in range(5000)}, {}),
        "5000 files": multipart({}, {f"f{i}": (f"{i}.jpg", b"x") for i in range(5000)}),
        "header injection in name": (b'--h6boundary\r\nContent-Disposition: form-data; name="title\r\nX: y"\r\n\r\nv\r\n--h6boundary--\r\n',
                                     "multipart/form-data; boundary=h6boundary"),
        "filename traversal": multipart({"title": "t"}, {"image": ("../../../../tmp/evil.jpg", _png(16, 9))}),
    }
    for label, (body, ctype) in malformed.items():
        out.append(Hostile(f"multipart {label}", "POST", "/api/recommendations", {"Content-Type": ctype}, body))
    gzip_bomb = zlib.compress(b"\0" * (50 * 2**20))
    out.append(Hostile("gzip-encoded body bomb", "POST", feedback,
                       {"Content-Type": "application/json", "Content-Encoding": "deflate"}, gzip_bomb))
    # header floods
    out.append(Hostile("500 headers", "GET", "/healthz", {f"X-Flood-{i}": "x" * 50 for i in range(500)}))
    out.append(Hostile("one 64 KB header", "GET", "/healthz", {"X-Big": "a" * 65_536}))
    out.append(Hostile("64 KB cookie", "GET", "/", {"Cookie": "a=" + "b" * 65_536}))
    out.append(Hostile("64 KB api key", "DELETE", f"/api/videos/{video_id}", {"X-API-Key": "k" * 65_536}))
    # unexpected methods
    for method in ("PUT", "PATCH", "TRACE", "OPTIONS", "PROPFIND", "FOO", "CONNECT"):
        out.append(Hostile(f"{method} on videos", method, "/api/videos"))
        out.append(Hostile(f"{method} on a thumbnail", method, f"/thumbs/{video_id}.jpg"))
    out.append(Hostile("GET on the add endpoint's form", "GET", "/new"))
    out.append(Hostile("DELETE on the collection", "DELETE", "/api/videos", {"X-API-Key": api_key}))
    # write endpoints with a missing or wrong key: refused, and nothing changes
    add, ctype = multipart({"video_id": "h6-new", "title": "should not be added"}, {"image": ("a.png", _png(16, 9))})
    for label, headers in (("no key", {}), ("wrong key", {"X-API-Key": "wrong"}), ("empty key", {"X-API-Key": ""}),
                           ("key prefix", {"X-API-Key": api_key[:-1]}), ("key plus one", {"X-API-Key": api_key + "x"}),
                           ("bearer wrong", {"Authorization": "Bearer wrong"}), ("basic auth", {"Authorization": "Basic " + api_key}),
                           ("key in query", {}), ("non-ascii key", {"X-API-Key": "ключ".encode().decode("latin-1")})):
        target = f"/api/videos?api_key={api_key}" if label == "key in query" else "/api/videos"
        out.append(Hostile(f"add, {label}", "POST", target, {"Content-Type": ctype, **headers}, add, {401}))
        out.append(Hostile(f"delete, {label}", "DELETE", f"/api/videos/{video_id}", headers, b"", {401}))
    return out
