"""download_file against a local server: complete, verified, atomic, and only once."""

import hashlib

import pytest

from nnlite.datasets import DownloadError, download_file

DATA = bytes(range(256)) * 300  # 76,800 bytes: several chunks of 65,536


def leftovers(directory):
    """Files in ``directory``, temporary ones included (they start with a dot)."""
    return sorted(path.name for path in directory.iterdir())


def test_downloads_once_and_reuses_the_file(server, tmp_path, capsys):
    server.files["data.bin"] = DATA
    path = download_file(server.url("data.bin"), tmp_path / "sub" / "data.bin")
    assert path == tmp_path / "sub" / "data.bin"
    assert path.read_bytes() == DATA
    assert "note: no checksum was given" in capsys.readouterr().out
    download_file(server.url("data.bin"), path)
    assert server.hits["data.bin"] == 1
    assert f"Using {path} (already downloaded)" in capsys.readouterr().out
    download_file(server.url("data.bin"), path, force=True)
    assert server.hits["data.bin"] == 2
    assert leftovers(tmp_path / "sub") == ["data.bin"]


def test_a_matching_checksum_is_accepted_silently(server, tmp_path, capsys):
    server.files["data.bin"] = DATA
    sha256 = hashlib.sha256(DATA).hexdigest()
    md5 = hashlib.md5(DATA).hexdigest()
    path = download_file(server.url("data.bin"), tmp_path / "data.bin", sha256=sha256, md5=md5)
    assert path.read_bytes() == DATA
    assert "note" not in capsys.readouterr().out
    download_file(server.url("data.bin"), path, sha256=sha256.upper(), verbose=False)
    assert server.hits["data.bin"] == 1


def test_a_checksum_mismatch_keeps_nothing(server, tmp_path):
    server.files["data.bin"] = DATA
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(DownloadError) as raised:
        download_file(server.url("data.bin"), tmp_path / "data.bin", sha256=wrong, verbose=False)
    message = str(raised.value)
    assert f"is {hashlib.sha256(DATA).hexdigest()}, expected {wrong}" in message
    assert "SHA-256 checksum" in message
    assert leftovers(tmp_path) == []


def test_a_truncated_download_keeps_nothing(server, tmp_path):
    server.files["data.bin"] = DATA
    server.truncated.add("data.bin")
    with pytest.raises(DownloadError, match="truncated: received 38,400 bytes of the 76,800"):
        download_file(server.url("data.bin"), tmp_path / "data.bin", verbose=False)
    assert leftovers(tmp_path) == []


def test_a_truncated_download_leaves_an_earlier_copy_alone(server, tmp_path):
    (tmp_path / "data.bin").write_bytes(b"the old copy")
    server.files["data.bin"] = DATA
    server.truncated.add("data.bin")
    with pytest.raises(DownloadError, match="truncated"):
        download_file(server.url("data.bin"), tmp_path / "data.bin", force=True, verbose=False)
    assert (tmp_path / "data.bin").read_bytes() == b"the old copy"
    assert leftovers(tmp_path) == ["data.bin"]


def test_a_chunked_download_cut_off_keeps_nothing(server, tmp_path):
    server.files["data.bin"] = DATA
    server.broken_chunks.add("data.bin")
    with pytest.raises(DownloadError, match="the connection closed early, after 38,400 bytes"):
        download_file(server.url("data.bin"), tmp_path / "data.bin", verbose=False)
    assert leftovers(tmp_path) == []


def test_a_file_without_a_length_is_accepted(server, tmp_path):
    server.files["data.bin"] = DATA
    server.unannounced.add("data.bin")
    path = download_file(server.url("data.bin"), tmp_path / "data.bin", verbose=False)
    assert path.read_bytes() == DATA


def test_a_failed_check_keeps_nothing(server, tmp_path):
    server.files["data.bin"] = DATA

    def check(path):
        raise ValueError(f"{path.name} is not what we wanted")

    with pytest.raises(
        DownloadError, match="the downloaded file is unusable: .*not what we wanted"
    ):
        download_file(server.url("data.bin"), tmp_path / "data.bin", check=check, verbose=False)
    assert leftovers(tmp_path) == []


def test_an_unusable_existing_file_is_downloaded_again(server, tmp_path, capsys):
    server.files["data.bin"] = DATA
    (tmp_path / "data.bin").write_bytes(DATA[:100])  # an old, broken copy
    sha256 = hashlib.sha256(DATA).hexdigest()
    download_file(server.url("data.bin"), tmp_path / "data.bin", sha256=sha256)
    assert (tmp_path / "data.bin").read_bytes() == DATA
    assert server.hits["data.bin"] == 1
    assert "is unusable (its SHA-256 is" in capsys.readouterr().out


def test_http_errors_and_unreachable_servers(server, tmp_path):
    with pytest.raises(DownloadError, match="the server answered 404"):
        download_file(server.url("missing.bin"), tmp_path / "missing.bin", verbose=False)
    with pytest.raises(DownloadError, match="could not connect"):
        download_file("http://127.0.0.1:1/x", tmp_path / "x", timeout=5, verbose=False)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"sha256": "abc"}, "sha256 must be 64 hexadecimal digits, got 'abc'"),
        ({"md5": "z" * 32}, "md5 must be 32 hexadecimal digits"),
    ],
)
def test_malformed_checksums_are_refused(tmp_path, settings, message):
    with pytest.raises(ValueError, match=message):
        download_file("http://127.0.0.1:1/x", tmp_path / "x", **settings)
