"""Issue 13, downloads: a cap on what an archive may unpack to, an overall deadline for a
server that drips, and a size check on IDX files before they are unpacked (a gzip bomb when
no MD5 is given). Only a local HTTP server on 127.0.0.1 is used, as in tests/datasets.
"""

import gzip
import io
import struct
import threading
import time
import tracemalloc
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from nnlite.datasets.archive import check_zip, extract_zip
from nnlite.datasets.download import DownloadError, download_file
from nnlite.datasets.fashion_mnist import IDX_MD5, download_fashion_mnist_idx
from nnlite.datasets.idx import load_idx


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.server.drip is None:
            self.wfile.write(body)
            return
        for index in range(len(body)):  # one byte at a time, slowly
            if self.server.stopping.is_set():
                return
            try:
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(self.server.drip)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """A local server of ``server.files``; ``server.drip`` seconds between bytes if set."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    http.daemon_threads = True
    http.files, http.drip, http.stopping = {}, None, threading.Event()
    http.url = lambda name: f"http://127.0.0.1:{http.server_address[1]}/{name}"
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield http
    http.stopping.set()
    http.shutdown()
    http.server_close()
    thread.join()


def zip_bomb(size):
    """A zip holding ``size`` zero bytes, deflated (about a thousandth of the size)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("train/0/0000.png", bytes(size))
    return buffer.getvalue()


def idx_bomb(images):
    """A gzipped IDX file of ``images`` 28×28 black pictures."""
    header = struct.pack(">BBBBIII", 0, 0, 0x08, 3, images, 28, 28)
    return gzip.compress(header + bytes(images * 28 * 28), compresslevel=9)


def test_a_server_that_drips_is_stopped_by_the_deadline(server, tmp_path):
    server.files["slow.bin"] = bytes(1000)
    server.drip = 0.05  # every read returns within the timeout, so only a deadline helps
    start = time.monotonic()
    with pytest.raises(DownloadError, match="took longer than its deadline of 0.5 seconds"):
        download_file(server.url("slow.bin"), tmp_path / "slow.bin", deadline=0.5, timeout=5)
    assert time.monotonic() - start < 3
    assert list(tmp_path.iterdir()) == []


def test_a_zip_bomb_is_refused_before_extracting(tmp_path):
    """The issue's 199 KiB zip that became 201 MiB, at a tenth of the scale."""
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_bomb(20 * 2**20))
    assert archive.stat().st_size < 100_000
    with pytest.raises(ValueError, match="declare 20,971,520 bytes.*a zip bomb"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="a zip bomb"):
        check_zip(archive)
    extract_zip(archive, tmp_path / "trusted", max_bytes=21 * 2**20)  # when you trust it
    assert (tmp_path / "trusted" / "train" / "0" / "0000.png").stat().st_size == 20 * 2**20


def test_a_zip_bomb_download_is_refused_and_nothing_kept(server, tmp_path):
    server.files["archive.zip"] = zip_bomb(20 * 2**20)
    with pytest.raises(DownloadError, match="a zip bomb"):
        download_file(server.url("archive.zip"), tmp_path / "archive.zip", check=check_zip)
    assert list(tmp_path.iterdir()) == []


def test_an_idx_gzip_bomb_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(idx_bomb(40_000))  # 31 MB of pictures in about 30 KB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"declares shape \(40000, 28, 28\).*gzip bomb"):
            load_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_an_idx_gzip_bomb_without_md5_is_refused_by_the_downloader(server, tmp_path):
    for name in IDX_MD5:
        server.files[name] = idx_bomb(40_000)
    with pytest.raises(DownloadError, match="gzip bomb"):
        download_fashion_mnist_idx(tmp_path, base_url=server.url(""), md5=None, verbose=False)
    assert not any(tmp_path.rglob("*.gz"))


def test_a_real_sized_idx_file_still_loads(tmp_path):
    pictures = np.random.default_rng(0).integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    path = tmp_path / "images.gz"
    path.write_bytes(
        gzip.compress(struct.pack(">BBBBIII", 0, 0, 8, 3, 50, 28, 28) + pictures.tobytes())
    )
    np.testing.assert_array_equal(load_idx(path), pictures)
    path.write_bytes(
        gzip.compress(struct.pack(">BBBBIII", 0, 0, 8, 3, 50, 28, 28) + pictures.tobytes() + b"x")
    )
    with pytest.raises(ValueError, match="longer than its header says"):
        load_idx(path)
