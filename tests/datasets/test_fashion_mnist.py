"""Fashion-MNIST: the book's archive and the IDX files, from a local server, and the loaders."""

import hashlib

import numpy as np
import pytest
from PIL import Image

from nnlite.datasets import (
    DownloadError,
    download_fashion_mnist,
    download_fashion_mnist_idx,
    fashion_mnist_labels,
    load_fashion_mnist_idx,
    load_fashion_mnist_images,
)
from nnlite.datasets.fashion_mnist import IDX_MD5

ARCHIVE = "fashion_mnist_images.zip"


def book_scaling(pixels):
    """The book's chapter 19: flatten, float32, then (x - 127.5) / 127.5."""
    return (pixels.reshape(pixels.shape[0], -1).astype(np.float32) - 127.5) / 127.5


def expected_split(pictures, split):
    """The pictures of a split in nnlite's order: by label, then by file name."""
    keys = sorted((key for key in pictures if key[0] == split), key=lambda key: key[1:])
    return np.stack([pictures[key] for key in keys]), np.array([key[1] for key in keys], np.uint8)


def hidden_and_temporary(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("."))


# ---------------------------------------------------------------- the book's archive


def test_download_extract_and_load(server, builders, tmp_path, capsys):
    pictures = builders.book_pictures()
    server.files[ARCHIVE] = builders.book_zip(pictures)
    folder = download_fashion_mnist(tmp_path / "datasets", url=server.url(ARCHIVE))
    assert folder == tmp_path / "datasets" / "fashion_mnist_images"
    assert (tmp_path / "datasets" / ARCHIVE).read_bytes() == server.files[ARCHIVE]
    output = capsys.readouterr().out
    assert "note: no checksum was given" in output and "Unzipping" in output

    X, y, X_test, y_test = load_fashion_mnist_images(folder)
    train_pixels, train_labels = expected_split(pictures, "train")
    test_pixels, test_labels = expected_split(pictures, "test")
    np.testing.assert_array_equal(X, book_scaling(train_pixels))
    np.testing.assert_array_equal(y, train_labels)
    np.testing.assert_array_equal(X_test, book_scaling(test_pixels))
    np.testing.assert_array_equal(y_test, test_labels)
    assert X.dtype == np.float32 and X.shape == (7, 20) and y.dtype == np.uint8
    assert list(y) == [0, 0, 0, 1, 1, 7, 7]
    assert hidden_and_temporary(tmp_path / "datasets") == []


def test_nothing_is_downloaded_twice(server, builders, tmp_path, capsys):
    server.files[ARCHIVE] = builders.book_zip(builders.book_pictures())
    directory = tmp_path / "datasets"
    folder = download_fashion_mnist(directory, url=server.url(ARCHIVE))
    assert download_fashion_mnist(directory, url=server.url(ARCHIVE)) == folder
    assert server.hits[ARCHIVE] == 1
    assert "already downloaded and extracted" in capsys.readouterr().out
    # Without the extracted folder, the zip kept beside it is extracted again, not fetched
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()
    download_fashion_mnist(directory, url=server.url(ARCHIVE))
    assert server.hits[ARCHIVE] == 1
    assert len(load_fashion_mnist_images(folder)[0]) == 7
    # force=True fetches and extracts again
    download_fashion_mnist(directory, url=server.url(ARCHIVE), force=True, verbose=False)
    assert server.hits[ARCHIVE] == 2
    assert len(load_fashion_mnist_images(folder)[0]) == 7


def test_a_matching_sha256_is_checked(server, builders, tmp_path, capsys):
    server.files[ARCHIVE] = builders.book_zip(builders.book_pictures())
    sha256 = hashlib.sha256(server.files[ARCHIVE]).hexdigest()
    download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), sha256=sha256)
    assert "note" not in capsys.readouterr().out


def test_a_checksum_mismatch(server, builders, tmp_path):
    server.files[ARCHIVE] = builders.book_zip(builders.book_pictures())
    with pytest.raises(DownloadError, match="SHA-256 checksum of the download is"):
        download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), sha256="0" * 64, verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_truncated_download(server, builders, tmp_path):
    server.files[ARCHIVE] = builders.book_zip(builders.book_pictures())
    server.truncated.add(ARCHIVE)
    with pytest.raises(DownloadError, match="truncated"):
        download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupted_zip(server, builders, tmp_path):
    archive = builders.book_zip(builders.book_pictures())
    middle = len(archive) // 2
    server.files[ARCHIVE] = archive[:middle] + bytes(64) + archive[middle + 64 :]
    with pytest.raises(DownloadError, match="the downloaded file is unusable"):
        download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_page_instead_of_a_zip(server, tmp_path):
    server.files[ARCHIVE] = b"<html>Please log in</html>"
    with pytest.raises(DownloadError, match="is not a valid zip archive"):
        download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_a_zip_with_a_path_traversal_member_is_refused(server, builders, tmp_path):
    members = {"train/0/0000.png": builders.png_bytes(np.zeros((2, 2))), "../../evil.sh": b"x"}
    server.files[ARCHIVE] = builders.zip_bytes(members)
    directory = tmp_path / "a" / "b"
    with pytest.raises(DownloadError, match="would be written outside the destination"):
        download_fashion_mnist(directory, url=server.url(ARCHIVE), verbose=False)
    assert list(directory.iterdir()) == []
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["a", "b"]


def test_a_zip_without_the_books_layout(server, builders, tmp_path):
    server.files[ARCHIVE] = builders.zip_bytes({"images/0/0000.png": b"..."})
    with pytest.raises(ValueError, match=r"no train/ and test/ folders .*\['images'\]"):
        download_fashion_mnist(tmp_path, url=server.url(ARCHIVE), verbose=False)
    assert not (tmp_path / "fashion_mnist_images").exists()
    assert hidden_and_temporary(tmp_path) == []


def test_an_unrelated_folder_in_the_way(tmp_path):
    (tmp_path / "fashion_mnist_images").mkdir()
    with pytest.raises(FileExistsError, match="has no train/ and test/ folders"):
        download_fashion_mnist(tmp_path, url="http://127.0.0.1:1/never-asked")


# ---------------------------------------------------------------- the original IDX files


def idx_files(builders, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 3, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 6, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 3, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 2, dtype=np.uint8),
    }
    return arrays, {name: builders.idx_gz_bytes(array) for name, array in arrays.items()}


def md5_of(files):
    return {name: hashlib.md5(data).hexdigest() for name, data in files.items()}


def test_idx_download_and_load(server, builders, tmp_path):
    arrays, files = idx_files(builders)
    server.files.update(files)
    folder = download_fashion_mnist_idx(
        tmp_path, base_url=server.url(), md5=md5_of(files), verbose=False
    )
    assert folder == tmp_path / "fashion_mnist_idx"
    X, y, X_test, y_test = load_fashion_mnist_idx(folder)
    np.testing.assert_array_equal(X, book_scaling(arrays["train-images-idx3-ubyte.gz"]))
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(X_test, book_scaling(arrays["t10k-images-idx3-ubyte.gz"]))
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    pictures = load_fashion_mnist_idx(folder, scale=False, flatten=False)[0]
    np.testing.assert_array_equal(pictures, arrays["train-images-idx3-ubyte.gz"])
    # Present and intact: not fetched again
    download_fashion_mnist_idx(tmp_path, base_url=server.url(), md5=md5_of(files), verbose=False)
    assert set(server.hits.values()) == {1}


def test_idx_md5_mismatch_and_damaged_gzip(server, builders, tmp_path):
    _, files = idx_files(builders)
    server.files.update(files)
    wrong = md5_of(files) | {"train-images-idx3-ubyte.gz": "0" * 32}
    with pytest.raises(DownloadError, match="MD5 checksum of the download is"):
        download_fashion_mnist_idx(tmp_path, base_url=server.url(), md5=wrong, verbose=False)
    server.files["train-images-idx3-ubyte.gz"] = files["train-images-idx3-ubyte.gz"][:-12]
    with pytest.raises(DownloadError, match="damaged gzip file"):
        download_fashion_mnist_idx(tmp_path, base_url=server.url(), md5=None, verbose=False)
    assert list((tmp_path / "fashion_mnist_idx").iterdir()) == []


def test_idx_published_checksums():
    # Zalando Research's README (and torchvision's FashionMNIST.resources) publish these
    assert IDX_MD5 == {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }


def test_idx_files_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz is missing"):
        load_fashion_mnist_idx(tmp_path)


# ---------------------------------------------------------------- the PNG loader


def write_pictures(root, pictures):
    for (split, label, name), pixels in pictures.items():
        (root / split / str(label)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(root / split / str(label) / name)


def test_order_is_by_label_number_then_file_name(tmp_path):
    rng = np.random.default_rng(1)
    # Written out of order; label 10 sorts after 2 as a number, not before it as text
    keys = [("train", 10, "0001.png"), ("train", 2, "0002.png"), ("train", 2, "0000.png")]
    keys += [("test", 3, "0000.png")]
    pictures = {key: rng.integers(0, 256, (3, 3), dtype=np.uint8) for key in keys}
    write_pictures(tmp_path, pictures)
    X, y, X_test, y_test = load_fashion_mnist_images(tmp_path, scale=False, flatten=False)
    assert list(y) == [2, 2, 10] and list(y_test) == [3]
    np.testing.assert_array_equal(X[0], pictures[("train", 2, "0000.png")])
    np.testing.assert_array_equal(X[1], pictures[("train", 2, "0002.png")])
    np.testing.assert_array_equal(X[2], pictures[("train", 10, "0001.png")])
    assert X.dtype == np.uint8 and X.shape == (3, 3, 3)


def test_hidden_folders_and_other_files_are_skipped(tmp_path, builders):
    write_pictures(tmp_path, builders.book_pictures())
    (tmp_path / "train" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "train" / "0" / "Thumbs.db").write_bytes(b"x")
    X, y, _, _ = load_fashion_mnist_images(tmp_path)
    assert len(X) == 7


def test_scaling_reaches_both_ends(tmp_path):
    pixels = np.array([[0, 255], [127, 128]], dtype=np.uint8)
    write_pictures(tmp_path, {("train", 0, "a.png"): pixels, ("test", 0, "a.png"): pixels})
    X = load_fashion_mnist_images(tmp_path)[0]
    # -0.5 / 127.5 and 0.5 / 127.5, each correctly rounded to float32
    expected = np.array([[-1.0, 1.0, -0.5 / 127.5, 0.5 / 127.5]], dtype=np.float32)
    np.testing.assert_array_equal(X, expected)
    assert X.dtype == np.float32


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda root: None, FileNotFoundError, "is not a folder; download the data first"),
        (
            lambda root: (root / "train" / "shirts").mkdir(parents=True),
            ValueError,
            "must be named by their label .* found 'shirts'",
        ),
        (
            lambda root: Image.new("RGB", (2, 2)).save(mkdirs(root / "train/0") / "a.png"),
            ValueError,
            "expected an 8-bit grayscale PNG .* got mode 'RGB'",
        ),
        (
            lambda root: [
                Image.new("L", size).save(mkdirs(root / "train/0") / f"{i}.png")
                for i, size in enumerate([(2, 2), (3, 2)])
            ],
            ValueError,
            "1.png is 3x2 pixels, but the first picture is 2x2",
        ),
        (lambda root: mkdirs(root / "train/0"), ValueError, "holds no PNG files"),
    ],
)
def test_bad_folders_are_explained(tmp_path, make, error, message):
    make(tmp_path)
    with pytest.raises(error, match=message):
        load_fashion_mnist_images(tmp_path)


def mkdirs(path):
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_books_class_names():
    # Chapter 22's dictionary
    assert fashion_mnist_labels == {
        0: "T-shirt/top",
        1: "Trouser",
        2: "Pullover",
        3: "Dress",
        4: "Coat",
        5: "Sandal",
        6: "Shirt",
        7: "Sneaker",
        8: "Bag",
        9: "Ankle boot",
    }
