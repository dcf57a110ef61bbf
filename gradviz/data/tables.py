"""Datasets shipped with gradviz (Iris, handwritten digits, the course's flat prices and houses) and a CSV loader.

Each loader returns a :class:`Dataset`, which unpacks as ``X, y = load_iris()`` and also carries the
feature and class names; it also reads like scikit-learn's Bunch (``ds.data``, ``ds.target``, ``ds.DESCR``,
``ds["data"]``), and ``return_X_y=True`` returns the pair itself, as in scikit-learn. The files live in ``gradviz/data/files/`` (see the README there for sources
and licences); nothing is downloaded.
"""

from __future__ import annotations

import gzip
import numbers
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from . import _csv
from ._files import MAX_BYTES, DataFileError, check_max_bytes

__all__ = ["Dataset", "load_iris", "load_digits", "load_flat_prices", "load_houses", "load_csv"]


@dataclass(repr=False, eq=False)
class Dataset:
    """Features ``X`` (n, d), targets ``y`` (n,) and their names; unpacks as ``X, y = dataset``.

    ``target_names[k]`` names class ``k`` for classification data (empty for regression);
    ``extras`` holds anything else a dataset has (the digits' 8×8 ``images``), also readable as
    attributes (``dataset.images``).

    It also reads as scikit-learn's Bunch: ``data`` is ``X``, ``target`` is ``y``, ``DESCR`` is
    ``description``, and ``ds["data"]``, ``ds.keys()`` and ``"images" in ds`` work. Unlike a Bunch it
    unpacks as ``X, y`` (a Bunch unpacks as its keys), and its names are tuples, not arrays.

    >>> ds = Dataset(np.zeros((3, 2)), np.array([0, 1, 1]), feature_names=("a", "b"), target_names=("no", "yes"))
    >>> X, y = ds
    >>> X.shape, y.tolist(), ds.n_classes
    ((3, 2), [0, 1, 1], 2)
    >>> ds
    Dataset(3 samples × 2 features (a, b); 2 classes (no, yes))
    >>> ds["target"].tolist(), ds.data is ds.X, list(ds.keys())
    ([0, 1, 1], True, ['data', 'target', 'feature_names', 'target_names', 'DESCR'])
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    target_name: str = "target"
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[np.ndarray | None]:
        return iter((self.X, self.y))

    def __getattr__(self, name: str) -> Any:
        extras = self.__dict__.get("extras", {})
        if name in extras:
            return extras[name]
        raise AttributeError(f"Dataset has no attribute {name!r} (extras: {', '.join(extras) or 'none'})")

    # -- scikit-learn's Bunch names ---------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The features ``X``, under scikit-learn's name."""
        return self.X

    @data.setter
    def data(self, value: np.ndarray) -> None:
        self.X = value

    @property
    def target(self) -> np.ndarray | None:
        """The targets ``y``, under scikit-learn's name."""
        return self.y

    @target.setter
    def target(self, value: np.ndarray | None) -> None:
        self.y = value

    @property
    def DESCR(self) -> str:  # noqa: N802 - scikit-learn's name
        """The ``description``, under scikit-learn's name."""
        return self.description

    def keys(self) -> list[str]:
        """The names ``dataset[name]`` reads, as a Bunch's keys: data, target, the names, DESCR and the extras."""
        return ["data", "target", "feature_names", "target_names", "DESCR", *self.extras]

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str):
            raise TypeError(
                f"Dataset[...] takes a name, as scikit-learn's Bunch does (one of {', '.join(self.keys())}), "
                f"got {key!r}; for samples index the arrays: dataset.data[{key!r}], dataset.target[{key!r}]"
            )
        if key not in self.keys():
            raise KeyError(f"Dataset has no {key!r}; its names are {', '.join(self.keys())}")
        return getattr(self, key)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return len(self.X)

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return self.X.shape[1] if self.X.ndim > 1 else 1

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression targets)."""
        return len(self.target_names)

    def __repr__(self) -> str:
        names = ", ".join(self.feature_names)
        if len(self.feature_names) > 6:
            names = ", ".join(self.feature_names[:3]) + ", …, " + self.feature_names[-1]
        text = f"Dataset({self.n_samples} samples × {self.n_features} features" + (f" ({names})" if names else "")
        if self.target_names:
            classes = ", ".join(self.target_names)
            text += f"; {self.n_classes} classes ({classes})"
        elif self.y is not None:
            text += f"; target {self.target_name}"
        return text + ")"


# -- reading CSV ------------------------------------------------------------------------------


def _parse_table(
    text: str,
    source: str,
    target,
    *,
    delimiter: str | None,
    header: bool | None,
    target_type: str,
    decimal: str | None,
    notes: tuple[str, ...] = (),
) -> Dataset:
    where = "load_csv"
    if header not in (None, True, False):
        raise TypeError(f"{where}: header must be True, False or None (detect), got {header!r}")
    if target_type not in ("auto", "class", "float"):
        raise ValueError(f"{where}: target_type must be 'auto', 'class' or 'float', got {target_type!r}")
    sniffed = delimiter is None
    if sniffed:
        delimiter = _csv.sniff_delimiter(text)
    rows = _csv.read_rows(text, delimiter, source, where)
    if not rows:
        raise DataFileError(f"{where}: {source} holds no rows (only blank lines)")
    comma = decimal == "," or (decimal is None and _csv.uses_decimal_comma(rows, delimiter))

    def number(cell: str) -> float | None:
        return _csv.parse_number(cell, comma)

    first_line, first_row = rows[0]
    first = [cell.strip() for cell in first_row]
    if header is None:
        header = _looks_like_header(first, [row for _, row in rows[1:201]], number)
    names = first if header else [f"x{k}" for k in range(len(first))]
    body = rows[1:] if header else rows
    if not body:
        raise DataFileError(f"{where}: {source} has a header but no data rows (its only row is line {first_line})")
    width = len(names)
    for line, row in body:
        if len(row) != width:
            what = "the header" if header else "line " + str(first_line)
            raise DataFileError(
                f"{where}: {source} line {line} has {len(row)} cells but the first row has {width} ({what}); "
                f"every row needs the same number of columns (a cell that holds the delimiter {delimiter!r} "
                "needs quotes; pass delimiter=... if the detected one is wrong)"
            )

    if target is None:
        target_index = None
    elif isinstance(target, str):
        if target not in names:
            raise ValueError(f"{where}: no column named {target!r} in {source}; its columns are {names}")
        target_index = names.index(target)
    elif isinstance(target, int) and not isinstance(target, bool):
        if not -width <= target < width:
            raise ValueError(f"{where}: target column {target} is out of range for {width} columns in {source}")
        target_index = target % width
    else:
        raise TypeError(f"{where}: target must be a column name, a column index or None, got {target!r}")

    feature_columns = [k for k in range(width) if k != target_index]
    X = _fast_floats(body, feature_columns) if not comma else None
    if X is None:  # decimal commas, or a bad cell: cell by cell, to name the first bad one
        X = _features_cell_by_cell(body, feature_columns, names, number, comma, source, where)

    y, target_names = None, ()
    if target_index is not None:
        cells = [row[target_index].strip() for _, row in body]
        if "" in cells:
            line = body[cells.index("")][0]
            raise DataFileError(
                f"{where}: {source} line {line}, target column {names[target_index]!r} is empty; "
                "drop the rows without a target"
            )
        try:
            values = [float(cell) for cell in cells] if not comma else None
        except ValueError:
            values = None
        if values is None:
            values = [number(cell) for cell in cells]
        numeric = all(value is not None for value in values)
        if target_type == "float" or (target_type == "auto" and numeric):
            if not numeric:
                at = values.index(None)
                raise DataFileError(
                    f"{where}: {source} line {body[at][0]}, target column {names[target_index]!r} holds "
                    f"{_csv.show(cells[at])}, not a number"
                )
            y = np.array(values, dtype=np.float64)
        else:  # class labels: codes 0..k-1 in sorted order of the names (numbers sorted as numbers)
            labels = sorted(set(cells), key=lambda c: (0, number(c), c) if numeric else (1, 0.0, c))
            code = {label: k for k, label in enumerate(labels)}
            y = np.array([code[cell] for cell in cells], dtype=np.int64)
            target_names = tuple(labels)
    details = list(notes)
    if sniffed and delimiter != ",":
        details.append({";": "';'-separated", "\t": "tab-separated", "|": "'|'-separated"}[delimiter])
    if comma:
        details.append("decimal comma")
    if not header:
        details.append("no header row")
    return Dataset(
        X,
        y,
        feature_names=tuple(names[k] for k in feature_columns),
        target_names=target_names,
        target_name=names[target_index] if target_index is not None else "",
        description=f"read from {source}" + (f" ({', '.join(details)})" if details else ""),
    )


def _fast_floats(body, columns: list[int]) -> np.ndarray | None:
    """The feature matrix when every cell is a plain number (float() per cell, no checks); else None."""
    X = np.empty((len(body), len(columns)), dtype=np.float64)
    try:
        for i, (_, row) in enumerate(body):
            X[i] = [float(row[k]) for k in columns]
    except ValueError:
        return None
    return X


def _features_cell_by_cell(body, columns, names, number, comma: bool, source: str, where: str) -> np.ndarray:
    """The feature matrix parsed cell by cell (decimal commas), naming the first cell that is not a number."""
    X = np.empty((len(body), len(columns)), dtype=np.float64)
    for i, (line, row) in enumerate(body):
        for j, k in enumerate(columns):
            cell = row[k].strip()
            value = number(cell)
            if value is None:
                what = "is empty" if not cell else f"holds {_csv.show(cell)}, not a number"
                hint = "; feature columns must be numbers (drop or fill missing values, encode categories first)"
                if not comma and _csv.parse_number(cell, True) is not None:
                    hint = "; for decimal commas (1,5) pass decimal=','"
                raise DataFileError(f"{where}: {source} line {line}, column {names[k]!r} {what}{hint}")
            X[i, j] = value
    return X


def _looks_like_header(first: list[str], body: list[list[str]], number) -> bool:
    """A first row is a header when it has a non-number above a column of numbers (``size`` over 50, 70, …).

    A first row that is numeric wherever the rows below are numeric is data (a headerless file with text
    labels: ``5.1,3.5,setosa``). With no numeric column at all, any non-number makes it a header.
    """
    numeric_columns = []
    for k in range(len(first)):
        cells = [row[k].strip() for row in body if len(row) > k and row[k].strip()]
        if cells and all(number(cell) is not None for cell in cells):
            numeric_columns.append(k)
    if numeric_columns:
        return any(number(first[k]) is None for k in numeric_columns)
    return not all(number(cell) is not None for cell in first)


def returned(dataset: Dataset, return_X_y: bool, as_frame: bool, where: str):
    """What a loader hands back: the Dataset, or ``(X, y)`` with ``return_X_y=True`` (scikit-learn's switch)."""
    if not isinstance(return_X_y, (bool, np.bool_)):
        raise TypeError(f"{where}: return_X_y must be True or False, got {return_X_y!r}")
    if as_frame is not False:
        raise ValueError(
            f"{where}: as_frame={as_frame!r} is not supported: gradviz gives numpy arrays and does not use pandas. "
            "Build the table yourself: pandas.DataFrame(ds.data, columns=ds.feature_names)"
        )
    return (dataset.X, dataset.y) if return_X_y else dataset


def load_csv(
    path: str | os.PathLike,
    target: str | int | None = -1,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    target_type: str = "auto",
    encoding: str | None = None,
    decimal: str | None = None,
    max_bytes: int | None = MAX_BYTES,
    return_X_y: bool = False,
) -> Dataset | tuple[np.ndarray, np.ndarray | None]:
    """Read your own table: numeric feature columns plus one target column (the last one by default).

    ``target`` is a column name, a column index (``-1`` = last) or ``None`` (features only, ``y`` is None).
    ``target_type="auto"`` gives float targets when every target cell is a number and class codes
    0..k-1 otherwise (names in ``target_names``, sorted); force one with ``"float"`` or ``"class"``.

    What is detected unless you say it (the Dataset's ``description`` says what was found):

    * ``delimiter``: ``,`` ``;`` tab or ``|``, whichever splits the first lines into the most
      consistent, most numeric columns (European ``1,5;2,0`` is ``;``-separated).
    * ``decimal``: ``","`` when a file not separated by commas writes ``1,5``; then ``1.234,5`` is
      1234.5. Pass ``decimal="."`` or ``","`` to choose.
    * ``header``: the first row is a header when it has a non-number above a column of numbers;
      a first row of data (``5.1,3.5,setosa``) stays data, named ``x0, x1, …``.
    * ``encoding``: a BOM (UTF-8, UTF-16, UTF-32), else UTF-8, else Windows-1252 (Excel's Spanish
      and other western files); pass ``encoding="latin-1"`` etc. to choose.

    ``return_X_y=True`` returns ``(X, y)`` instead of the Dataset. ``.gz`` files are decompressed. A file over ``max_bytes`` (2 GiB; ``None`` = no limit) is
    refused before it is read; an empty file, NUL bytes, a cell longer than csv's field limit (an
    unclosed quote), a ragged row or a non-number in a feature column raise :class:`DataFileError`
    naming the file, the line and the fix.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pets.csv"
    >>> _ = path.write_text("weight,height,kind\\n4.0,25,cat\\n30.5,60,dog\\n5.5,28,cat\\n")
    >>> X, y = ds = load_csv(path)
    >>> X.tolist(), y.tolist(), ds.target_names, ds.feature_names
    ([[4.0, 25.0], [30.5, 60.0], [5.5, 28.0]], [0, 1, 0], ('cat', 'dog'), ('weight', 'height'))
    >>> _ = path.write_text("tamaño;precio\\n42,45;91241\\n54,25;101251\\n")      # a Spanish spreadsheet's CSV
    >>> X, y = ds = load_csv(path)
    >>> X.ravel().tolist(), y.tolist(), ds.description.split("(")[-1]
    ([42.45, 54.25], [91241.0, 101251.0], "';'-separated, decimal comma)")
    """
    where = "load_csv"
    source = os.fspath(path)
    max_bytes = check_max_bytes(max_bytes, where)
    delimiter = _csv.check_delimiter(delimiter, where)
    decimal = _csv.check_decimal(decimal, delimiter, where)
    if not os.path.exists(source):
        raise FileNotFoundError(f"{where}: no file at {source!r}")
    if os.path.isdir(source):
        raise DataFileError(f"{where}: {source} is a folder, not a CSV file")
    raw = _csv.read_bytes(source, max_bytes, where)
    head = raw[:16]
    text, used = _csv.decode(raw, encoding, source, where)
    del raw  # only the text is kept from here on
    _csv.refuse_nul(text, head, source, where)
    note = _csv.encoding_note(used) if encoding is None else ""
    dataset = _parse_table(
        text,
        source,
        target,
        delimiter=delimiter,
        header=header,
        target_type=target_type,
        decimal=decimal,
        notes=(note,) if note else (),
    )
    return returned(dataset, return_X_y, False, where)


def _package_csv(name: str, target, target_type: str = "auto") -> Dataset:
    text = resources.files(__package__).joinpath("files", name).read_text(encoding="utf-8")
    return _parse_table(
        text, f"gradviz/data/files/{name}", target, delimiter=",", header=None, target_type=target_type, decimal="."
    )


# -- the shipped datasets ---------------------------------------------------------------------

_IRIS_DESCRIPTION = (
    "Fisher's Iris data (1936): 150 flowers, 50 of each of three species, measured in cm "
    "(sepal length, sepal width, petal length, petal width). Public domain."
)


def load_iris(*, return_X_y: bool = False, as_frame: bool = False) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris: 150 flowers × 4 measurements (cm), 3 species with 50 flowers each (labels 0, 1, 2).

    The rows are in scikit-learn's order (50 setosa, then versicolor, then virginica). ``return_X_y=True``
    returns ``(X, y)``; ``as_frame=True`` (pandas) is not supported.

    >>> X, y = iris = load_iris()
    >>> X.shape, np.bincount(y).tolist(), iris.target_names
    ((150, 4), [50, 50, 50], ('setosa', 'versicolor', 'virginica'))
    >>> X.mean(axis=0).round(3).tolist()
    [5.843, 3.057, 3.758, 1.199]
    >>> iris.data.shape, iris["target"][:3].tolist(), load_iris(return_X_y=True)[0].shape
    ((150, 4), [0, 0, 0], (150, 4))
    """
    iris = _package_csv("iris.csv", target="species", target_type="class")
    iris.description = _IRIS_DESCRIPTION
    return returned(iris, return_X_y, as_frame, "load_iris")


def load_flat_prices(*, return_X_y: bool = False) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """The course's one-variable regression table: 7 flats, size in m² → price in € (``return_X_y`` as load_iris).

    >>> X, y = load_flat_prices()
    >>> X[:, 0].tolist()
    [42.45, 54.25, 32.5, 62.3, 28.4, 45.69, 58.2]
    >>> y.tolist()
    [91241.0, 101251.0, 83051.0, 110341.0, 67124.0, 98525.0, 104251.0]
    """
    flats = _package_csv("flat_prices.csv", target="price_eur", target_type="float")
    flats.description = "The course's flat-price example: size (m²) → price (€), 7 flats."
    return returned(flats, return_X_y, False, "load_flat_prices")


# The houses table is synthetic. It was written once by _generate_houses() below (also used by the
# tests to prove the shipped file matches this formula) and is shipped as houses.csv so that it
# never depends on numpy's random streams.
HOUSES_FORMULA = "price = 25000 + 1500·size + 4000·rooms + 6000·floors − 600·age + noise, noise ~ N(0, 8000²)"
"""The formula load_houses()'s table was made from: the coefficients a linear regression should find.

>>> from gradviz.data import HOUSES_FORMULA, load_houses
>>> HOUSES_FORMULA in load_houses().description
True
"""
_HOUSES_COEFFICIENTS = {"intercept": 25000.0, "size_m2": 1500.0, "rooms": 4000.0, "floors": 6000.0, "age_years": -600.0}
_HOUSES_SEED = 2024


def _generate_houses(n: int = 50, seed: int = _HOUSES_SEED) -> np.ndarray:
    """The houses table as an (n, 5) array: size_m2, rooms, floors, age_years, price_eur."""
    rng = np.random.default_rng(seed)
    size = np.round(rng.uniform(30.0, 160.0, size=n), 1)
    rooms = np.clip(np.round(size / 30.0 + rng.normal(0.0, 0.6, size=n)), 1, 6)
    floors = rng.integers(1, 4, size=n).astype(np.float64)
    age = rng.integers(0, 61, size=n).astype(np.float64)
    c = _HOUSES_COEFFICIENTS
    price = c["intercept"] + c["size_m2"] * size + c["rooms"] * rooms + c["floors"] * floors + c["age_years"] * age
    price = np.round(price + rng.normal(0.0, 8000.0, size=n))
    return np.column_stack([size, rooms, floors, age, price])


def load_houses(*, return_X_y: bool = False) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """A synthetic multivariable table, 50 homes: size (m²), rooms, floors, age (years) → price (€).

    Made (not measured) from ``HOUSES_FORMULA`` with seeded Gaussian noise, so a linear regression
    should recover coefficients close to 1500, 4000, 6000 and −600. ``return_X_y`` as in load_iris.

    >>> X, y = houses = load_houses()
    >>> X.shape, houses.feature_names
    ((50, 4), ('size_m2', 'rooms', 'floors', 'age_years'))
    """
    houses = _package_csv("houses.csv", target="price_eur", target_type="float")
    houses.description = f"Synthetic houses for multivariable regression: {HOUSES_FORMULA} (seed {_HOUSES_SEED})."
    return returned(houses, return_X_y, False, "load_houses")


_DIGITS_CACHE: dict[str, np.ndarray] = {}

_DIGITS_DESCRIPTION = (
    "Optical Recognition of Handwritten Digits (UCI, E. Alpaydin & C. Kaynak, 1998; CC BY 4.0): the 1,797 "
    "test-set images, 8×8 blocks of counts 0..16 from 32×32 bitmaps, 10 classes. Same file as scikit-learn's "
    "load_digits."
)


def load_digits(
    *, n_class: int = 10, return_X_y: bool = False, as_frame: bool = False
) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """Handwritten digits: 1,797 images of 8×8 pixels with values 0..16, labels 0..9 (~180 each).

    ``X`` is (1797, 64) float64 (pixels in row-major order); ``images`` is the same data as (1797, 8, 8).
    Divide by 16 to scale to [0, 1]. As in scikit-learn, ``n_class=k`` keeps the digits 0..k-1 only
    and ``return_X_y=True`` returns ``(X, y)``.

    >>> X, y = digits = load_digits()
    >>> X.shape, digits.images.shape, int(X.max()), np.bincount(y).tolist()
    ((1797, 64), (1797, 8, 8), 16, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    >>> X, y = load_digits(n_class=2, return_X_y=True)
    >>> X.shape, np.bincount(y).tolist()
    ((360, 64), [178, 182])
    """
    where = "load_digits"
    if isinstance(n_class, bool) or not isinstance(n_class, numbers.Integral) or not 1 <= n_class <= 10:
        raise ValueError(
            f"{where}: n_class must be a whole number from 1 to 10 (keeps the digits 0..n_class-1), got {n_class!r}"
        )
    if "table" not in _DIGITS_CACHE:
        resource = resources.files(__package__).joinpath("files", "digits.csv.gz")
        with resource.open("rb") as raw, gzip.open(raw, "rt") as handle:
            _DIGITS_CACHE["table"] = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    table = _DIGITS_CACHE["table"]
    if n_class < 10:
        table = table[table[:, 64] < n_class]
    X = table[:, :64].astype(np.float64)
    y = table[:, 64].copy()
    digits = Dataset(
        X,
        y,
        feature_names=tuple(f"pixel_{row}_{col}" for row in range(8) for col in range(8)),
        target_names=tuple(str(k) for k in range(int(n_class))),
        target_name="digit",
        description=_DIGITS_DESCRIPTION,
        extras={"images": X.reshape(-1, 8, 8)},
    )
    return returned(digits, return_X_y, as_frame, where)
