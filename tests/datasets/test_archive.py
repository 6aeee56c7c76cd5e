"""extract_zip and check_zip: no member escapes the folder; damage is found before use."""

import io
import zipfile

import pytest

from nnlite.datasets.archive import check_zip, extract_zip


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_safe_archive_is_extracted(tmp_path):
    archive = write_zip(tmp_path / "a.zip", {"train/0/a.txt": b"a", "test/b.txt": b"b"})
    check_zip(archive)
    extract_zip(archive, tmp_path / "out")
    assert (tmp_path / "out/train/0/a.txt").read_bytes() == b"a"
    assert (tmp_path / "out/test/b.txt").read_bytes() == b"b"


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "train/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt", "..\\evil.txt"],
)
def test_a_member_escaping_the_folder_refuses_the_whole_archive(tmp_path, name):
    archive = write_zip(tmp_path / "a.zip", {"fine.txt": b"fine", name: b"evil"})
    destination = tmp_path / "deep" / "out"
    destination.mkdir(parents=True)
    with pytest.raises(ValueError, match=r"1 member\(s\) would be written outside"):
        extract_zip(archive, destination)
    with pytest.raises(ValueError, match="outside the destination folder"):
        check_zip(archive)
    assert list(destination.iterdir()) == []  # not even the safe member was written
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "deep/evil.txt").exists()


def test_a_member_escaping_through_a_symlink_is_refused(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "link").symlink_to(tmp_path)
    archive = write_zip(tmp_path / "a.zip", {"link/evil.txt": b"evil"})
    with pytest.raises(ValueError, match="'link/evil.txt'"):
        extract_zip(archive, destination)
    assert not (tmp_path / "evil.txt").exists()


def test_a_damaged_member_is_found(tmp_path):
    data = bytes(range(200))
    archive = write_zip(tmp_path / "a.zip", {"a.bin": data})
    content = archive.read_bytes()
    where = content.index(data)  # stored uncompressed: the bytes appear as they are
    archive.write_bytes(content[: where + 10] + b"\xff" + content[where + 11 :])
    with pytest.raises(ValueError, match="the member 'a.bin' is damaged"):
        check_zip(archive)


def test_something_that_is_not_a_zip(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"<html>Not Found</html>")
    with pytest.raises(ValueError, match="is not a valid zip archive"):
        check_zip(tmp_path / "a.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zip_file:
        zip_file.writestr("a.txt", b"a" * 1000)
    (tmp_path / "cut.zip").write_bytes(buffer.getvalue()[:-30])  # the directory cut off
    with pytest.raises(ValueError, match="is not a valid zip archive"):
        check_zip(tmp_path / "cut.zip")
