"""Fashion-MNIST as the book uses it (chapter 19): download, load, scale.

70,000 grayscale 28x28 pictures of clothes in 10 classes (:data:`fashion_mnist_labels`),
60,000 for training and 10,000 for testing. The book downloads its own copy, a zip of PNG
files laid out as ``{train,test}/{label}/{number}.png``::

    folder = download_fashion_mnist()                      # datasets/fashion_mnist_images
    X, y, X_test, y_test = load_fashion_mnist_images(folder)
    X.shape, X.dtype                                       # (60000, 784) float32 in [-1, 1]

The original files from Zalando Research are four gzipped IDX files
(:func:`download_fashion_mnist_idx`, :func:`load_fashion_mnist_idx`): the same pictures in
another order (theirs, not sorted by class).

**Scaling, as the book does:** ``(x - 127.5) / 127.5`` in float32 maps the pixel values
0...255 to -1...1, and each picture is flattened to a row of 784 numbers.

**Order.** The book lists the folders with ``os.listdir``, whose order depends on the file
system, so its data (and the shuffle that follows) differ from one computer to the next.
nnlite sorts: labels by number, files by name, so the data comes out in the same order
everywhere, and a shuffle with a seed is reproducible.

**Checksums.** Zalando publishes MD5 checksums of the IDX files; they are checked by default.
No checksum of the book's zip is published, so ``download_fashion_mnist`` checks the size and
every member of the zip but not the content, and prints a note; pass ``sha256=`` to check it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from nnlite.datasets.archive import check_zip, extract_zip
from nnlite.datasets.download import download_file
from nnlite.datasets.idx import load_idx

#: The book's archive of PNG files.
BOOK_URL = "https://nnfs.io/datasets/fashion_mnist_images.zip"
#: Where Zalando Research publishes the original IDX files (their repository).
IDX_BASE_URL = (
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"
)
#: The IDX files and the MD5 checksums Zalando publishes for them.
IDX_MD5 = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
IMAGES_FOLDER = "fashion_mnist_images"
IDX_FOLDER = "fashion_mnist_idx"

#: The classes by label, as the book's chapter 22 names them.
fashion_mnist_labels = {
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


def download_fashion_mnist(
    directory: str | os.PathLike = "datasets",
    *,
    url: str = BOOK_URL,
    sha256: str | None = None,
    force: bool = False,
    timeout: float = 60.0,
    verbose: bool = True,
) -> Path:
    """Fetch the book's zip into ``directory`` and extract it; return the extracted folder.

    Gives ``directory/fashion_mnist_images/{train,test}/{label}/*.png`` and keeps the zip
    beside it (``directory/fashion_mnist_images.zip``). Nothing is downloaded if the folder
    is there already, or if the zip is there and intact (it is then only extracted);
    ``force=True`` downloads and extracts again.

    The download is written to a temporary file and kept only if it is complete (as long as
    the server announced), matches ``sha256`` when one is given (no checksum of this file is
    published, so by default its content is not checked; a note says so) and is a valid zip
    whose members all stay inside the folder. Extraction also goes to a temporary folder,
    renamed into place when complete. Failures raise
    :class:`~nnlite.datasets.download.DownloadError` (or ``ValueError`` for an archive whose
    members would land outside the folder) and leave nothing behind.
    """
    directory = Path(directory)
    target = directory / IMAGES_FOLDER
    if target.exists() and not force:
        if _has_splits(target):
            if verbose:
                print(f"Using {target} (already downloaded and extracted)")
            return target
        raise FileExistsError(
            f"{target} exists but has no train/ and test/ folders; remove it, or pass "
            f"force=True to replace it"
        )
    archive = download_file(
        url,
        directory / f"{IMAGES_FOLDER}.zip",
        sha256=sha256,
        check=check_zip,
        force=force,
        timeout=timeout,
        verbose=verbose,
    )
    if verbose:
        print(f"Unzipping {archive} to {target}")
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=f".{IMAGES_FOLDER}.", suffix=".part"))
    try:
        extract_zip(archive, staging)
        if not _has_splits(staging):
            raise ValueError(
                f"{archive} does not have the book's layout: no train/ and test/ folders at "
                f"its top level (it has {sorted(p.name for p in staging.iterdir())})"
            )
        if target.exists():
            shutil.rmtree(target)  # force=True: replace the old copy
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def download_fashion_mnist_idx(
    directory: str | os.PathLike = "datasets",
    *,
    base_url: str = IDX_BASE_URL,
    md5: Mapping[str, str] | None = IDX_MD5,
    force: bool = False,
    timeout: float = 60.0,
    verbose: bool = True,
) -> Path:
    """Fetch the four original gzipped IDX files into ``directory/fashion_mnist_idx``.

    Each file is ``base_url`` + its name (the keys of :data:`IDX_MD5`), checked against the
    MD5 checksum Zalando publishes (``md5=None`` skips that) and parsed as IDX before it is
    kept; a file already there and intact is not downloaded again. Returns the folder, for
    :func:`load_fashion_mnist_idx`.
    """
    target = Path(directory) / IDX_FOLDER
    for name in IDX_MD5:
        download_file(
            base_url + name,
            target / name,
            md5=None if md5 is None else md5[name],
            check=load_idx,
            force=force,
            timeout=timeout,
            verbose=verbose,
        )
    return target


def load_fashion_mnist_images(
    directory: str | os.PathLike = f"datasets/{IMAGES_FOLDER}",
    *,
    scale: bool = True,
    flatten: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X, y, X_test, y_test`` from the book's ``{train,test}/{label}/*.png`` folders.

    As the book's ``create_data_mnist`` and its scaling: ``X`` of shape ``(60000, 784)``,
    float32, ``(pixel - 127.5) / 127.5``; ``y`` the labels as uint8. ``scale=False`` keeps the
    uint8 pixels 0...255, ``flatten=False`` the ``(n, 28, 28)`` pictures. The samples come
    sorted by label, then by file name (see the module docstring); shuffle before training
    in batches, as the book does.

    The PNGs are read with Pillow (which matplotlib installs); each must be 8-bit grayscale.
    """
    directory = Path(directory)
    X, y = _load_png_split(directory, "train")
    X_test, y_test = _load_png_split(directory, "test")
    return _prepare(X, scale, flatten), y, _prepare(X_test, scale, flatten), y_test


def load_fashion_mnist_idx(
    directory: str | os.PathLike = f"datasets/{IDX_FOLDER}",
    *,
    scale: bool = True,
    flatten: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X, y, X_test, y_test`` from the four IDX files, prepared as the book's PNGs are."""
    directory = Path(directory)
    arrays = []
    for images, labels in (
        ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    ):
        X, y = load_idx(_existing(directory / images)), load_idx(_existing(directory / labels))
        if X.ndim != 3 or y.ndim != 1 or len(X) != len(y):
            raise ValueError(
                f"{directory}: {images} holds an array of shape {X.shape} and {labels} one of "
                f"shape {y.shape}; expected (n, rows, columns) pictures and (n,) labels"
            )
        arrays += [_prepare(X, scale, flatten), y]
    return tuple(arrays)


def _prepare(images: np.ndarray, scale: bool, flatten: bool) -> np.ndarray:
    """The book's preparation: one row per picture, then pixels scaled to [-1, 1]."""
    if flatten:
        images = images.reshape(images.shape[0], -1)
    if scale:
        images = (images.astype(np.float32) - 127.5) / 127.5
    return images


def _load_png_split(directory: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The pictures and labels of one split, sorted by label, then by file name."""
    from PIL import Image  # Pillow comes with matplotlib; imported only when loading

    folder = directory / split
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder; download the data first: "
            f"load_fashion_mnist_images(download_fashion_mnist())"
        )
    label_folders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    for label_folder in label_folders:
        if not label_folder.name.isdigit():
            raise ValueError(
                f"{label_folder}: the folders in {folder} must be named by their label "
                f"(0, 1, ..., 9), found {label_folder.name!r}"
            )
    pictures, labels = [], []
    for label_folder in sorted(label_folders, key=lambda p: int(p.name)):
        for file in sorted(label_folder.glob("*.png")):
            with Image.open(file) as image:
                if image.mode != "L":
                    raise ValueError(
                        f"{file}: expected an 8-bit grayscale PNG (mode 'L'), got mode "
                        f"{image.mode!r}"
                    )
                picture = np.asarray(image)
            if pictures and picture.shape != pictures[0].shape:
                raise ValueError(
                    f"{file} is {picture.shape[1]}x{picture.shape[0]} pixels, but the first "
                    f"picture is {pictures[0].shape[1]}x{pictures[0].shape[0]}"
                )
            pictures.append(picture)
            labels.append(int(label_folder.name))
    if not pictures:
        raise ValueError(f"{folder} holds no PNG files in label folders")
    return np.stack(pictures), np.array(labels, dtype=np.uint8)


def _has_splits(folder: Path) -> bool:
    return (folder / "train").is_dir() and (folder / "test").is_dir()


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing; download the files first: "
            f"load_fashion_mnist_idx(download_fashion_mnist_idx())"
        )
    return path
