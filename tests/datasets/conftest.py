"""A local HTTP server on 127.0.0.1 for the download tests, and builders of small test files.

No test touches the network: the server runs in a thread on a free port of the loopback
interface and serves the bytes a test puts in ``server.files``. It counts the requests per
file (``server.hits``) and can misbehave on purpose:

* ``server.truncated``: files sent with their full ``Content-Length`` but only half the bytes,
  then the connection is closed (a dropped download);
* ``server.unannounced``: files sent without a ``Content-Length`` header;
* ``server.broken_chunks``: files sent in chunked encoding, cut off after the first chunk.
"""

import gzip
import io
import struct
import threading
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        state = self.server.state
        name = self.path.lstrip("/")
        state.hits[name] += 1
        if name not in state.files:
            self.send_error(404, "Not Found")
            return
        body = state.files[name]
        if name in state.broken_chunks:
            # Chunked transfer, cut off after the first chunk (no closing empty chunk)
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(body) // 2, body[: len(body) // 2]))
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if name not in state.unannounced:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if name in state.truncated:
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep the test output clean


class LocalServer:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.hits: Counter = Counter()
        self.truncated: set[str] = set()
        self.unannounced: set[str] = set()
        self.broken_chunks: set[str] = set()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.state = self
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, name=""):
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/{name}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


@pytest.fixture
def server(monkeypatch):
    """A running LocalServer; proxies are bypassed for it (a proxy could not reach it)."""
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with LocalServer() as running:
        yield running


def png_bytes(pixels):
    """An 8-bit grayscale PNG of the uint8 array ``pixels``."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    """A zip archive holding ``{name: bytes}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def book_pictures(seed=0, shape=(4, 5)):
    """Pictures for the book's layout: ``{(split, label, file name): uint8 pixels}``."""
    rng = np.random.default_rng(seed)
    counts = {("train", 0): 3, ("train", 1): 2, ("train", 7): 2, ("test", 0): 1, ("test", 7): 2}
    return {
        (split, label, f"{number:04d}.png"): rng.integers(0, 256, size=shape, dtype=np.uint8)
        for (split, label), count in counts.items()
        for number in range(count)
    }


def book_zip(pictures):
    """The book's archive layout: ``{train,test}/{label}/{number}.png`` at the top level."""
    return zip_bytes(
        {
            f"{split}/{label}/{name}": png_bytes(pixels)
            for (split, label, name), pixels in pictures.items()
        }
    )


def idx_bytes(array, type_code):
    """An IDX file, written from the format's description: header, sizes, big-endian data."""
    array = np.asarray(array)
    big_endian = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    sizes = struct.pack(f">{array.ndim}I", *array.shape)
    return header + sizes + array.astype(big_endian[type_code]).tobytes()


def idx_gz_bytes(array, type_code=0x08):
    return gzip.compress(idx_bytes(array, type_code))


@pytest.fixture
def builders():
    """The file builders above, for the test modules (which cannot import each other)."""

    class Builders:
        pass

    for function in (png_bytes, zip_bytes, book_pictures, book_zip, idx_bytes, idx_gz_bytes):
        setattr(Builders, function.__name__, staticmethod(function))
    return Builders
