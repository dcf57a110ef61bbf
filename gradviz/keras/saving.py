"""gradviz's ``.keras`` files: a zip, as Keras 3's, of ``metadata.json``, ``config.json`` (the architecture and the
compile settings) and ``model.weights.npz`` (the weights and the optimizer's state) — JSON and numpy arrays
only, never a pickle, so loading a file cannot run code. Written through gradviz's file manifest: a file
gradviz did not write is never replaced unless asked (``overwrite=True``).

A file written by Keras itself (its weights are HDF5) is refused with a message: gradviz reads its own.

>>> import os, tempfile, zipfile
>>> import numpy as np
>>> from gradviz import keras
>>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)], seed=0).compile("sgd", "mse")
>>> path = model.save(os.path.join(tempfile.mkdtemp(), "m.keras"))
>>> sorted(zipfile.ZipFile(path).namelist())
['config.json', 'metadata.json', 'model.weights.npz']
>>> np.array_equal(keras.saving.load_model(path).get_weights()[0], model.get_weights()[0])
True
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load_model", "save_model", "FORMAT"]

FORMAT = "gradviz.keras/1"
"""The format name written in each .keras file's metadata.json.

>>> FORMAT
'gradviz.keras/1'
"""

_MEMBERS = ("metadata.json", "config.json", "model.weights.npz")
_JSON_LIMIT = 16 * 2**20  # a config larger than this is not one gradviz wrote
_OPTIMIZER = "optimizer/"


def _json(value: Any) -> Any:
    """Tuples as lists, numpy numbers as Python's: what json.dumps takes."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _weights_bytes(model, *, optimizer: bool) -> tuple[bytes, dict[str, Any]]:
    arrays = dict(model.state_dict())
    scalars: dict[str, Any] = {}
    if optimizer and model.optimizer is not None and getattr(model.optimizer, "state", None):
        state = model.optimizer.state_dict()["state"]
        for index, entry in state.items():
            for key, value in entry.items():
                if isinstance(value, np.ndarray):
                    arrays[f"{_OPTIMIZER}{index}/{key}"] = value
                else:
                    scalars[f"{index}/{key}"] = _json(value)
    stream = io.BytesIO()
    np.savez(stream, **arrays)
    return stream.getvalue(), scalars


def write_weights(model, path: str, overwrite: bool = False) -> str:
    """The weights (gradviz's layout, by parameter name: ``model.state_dict()``) as an .npz, written to `path`."""
    from ..export._files import write_files

    model._require_built("save_weights")
    data, _ = _weights_bytes(model, optimizer=False)
    write_files({Path(path): data}, overwrite=overwrite)
    return path


def save_model(model, filepath, overwrite: bool = False) -> str:
    """Write `model` to `filepath` (a .keras name); returns the path. ``model.save`` calls it.

    >>> import os, tempfile
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)])
    >>> os.path.basename(save_model(model, os.path.join(tempfile.mkdtemp(), "m.keras")))
    'm.keras'
    """
    from .. import __version__
    from ..export._files import write_files

    path = os.fspath(filepath)
    model._require_built("save")
    config = {"class_name": "Sequential", "config": model.get_config(), "compile_config": model._compile_config()}
    weights, scalars = _weights_bytes(model, optimizer=config["compile_config"] is not None)
    config["optimizer_scalars"] = scalars
    metadata = {"format": FORMAT, "written_by": "gradviz", "gradviz_version": __version__}
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata, indent=1))
        archive.writestr("config.json", json.dumps(_json(config), indent=1))
        archive.writestr("model.weights.npz", weights)
    write_files({Path(path): stream.getvalue()}, overwrite=overwrite)
    return path


def _read_npz_bytes(data: bytes, where: str) -> dict[str, np.ndarray]:
    from ..data import read_npz

    handle, name = tempfile.mkstemp(suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        return read_npz(name, where=where)
    finally:
        os.unlink(name)


def _archive(path: str, where: str) -> dict[str, bytes]:
    """The members of a gradviz .keras file, checked: a zip holding exactly gradviz's three files."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{where}: no file at {path!r}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{where}: {path} is not a .keras file (a zip archive): it cannot be a saved model")
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "model.weights.h5" in names:
            raise ValueError(
                f"{where}: {path} was written by Keras itself (its weights are HDF5): gradviz reads the .keras files "
                "it writes. Rebuild the model in gradviz.keras and copy the weights with set_weights(keras_model."
                "get_weights()): both use Keras' layout"
            )
        missing = [name for name in _MEMBERS if name not in names]
        if missing:
            raise ValueError(f"{where}: {path} is not a gradviz .keras file: it lacks {', '.join(missing)}")
        members = {}
        for name in _MEMBERS:
            info = archive.getinfo(name)
            if name.endswith(".json") and info.file_size > _JSON_LIMIT:
                raise ValueError(f"{where}: {path}: {name} is {info.file_size} bytes, too large for a model's config")
            members[name] = archive.read(name)
    metadata = json.loads(members["metadata.json"])
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{where}: {path} is not a gradviz .keras file (its metadata names no {FORMAT!r} format)")
    return members


def read_weights(model, filepath, strict: bool = True) -> None:
    """Load weights from a .weights.h5 / .npz file (save_weights) or a .keras file (save) into `model`."""
    from ..data import read_npz

    path = os.fspath(filepath)
    where = "load_weights"
    if path.endswith(".keras"):
        state = _read_npz_bytes(_archive(path, where)["model.weights.npz"], where)
    else:
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        if os.path.isfile(path):
            with open(path, "rb") as stream:
                if stream.read(4) == b"\x89HDF":
                    raise ValueError(
                        f"{where}: {path} is an HDF5 file written by Keras itself: gradviz reads the weight files it "
                        "writes (.npz inside). Copy the weights with set_weights(keras_model.get_weights()) instead"
                    )
        state = read_npz(path, where=where)
    state = {key: value for key, value in state.items() if not key.startswith(_OPTIMIZER)}
    model.load_state_dict(state, strict=strict)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """The model in a .keras file gradviz wrote (``keras.models.load_model`` / ``keras.saving.load_model``).

    >>> import os, tempfile
    >>> from gradviz import keras
    >>> path = keras.Sequential([keras.layers.Dense(2, input_dim=3)]).save(os.path.join(tempfile.mkdtemp(), "a.keras"))
    >>> load_model(path).count_params()
    8
    """
    from . import losses as _losses
    from . import metrics as _metrics
    from . import optimizers as _optimizers
    from .models import Sequential

    path = os.fspath(filepath)
    where = "load_model"
    members = _archive(path, where)
    config = json.loads(members["config.json"])
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        raise ValueError(f"{where}: {path} holds no Sequential model")
    model = Sequential.from_config(config["config"])
    state = _read_npz_bytes(members["model.weights.npz"], where)
    weights = {key: value for key, value in state.items() if not key.startswith(_OPTIMIZER)}
    if not model.built:
        raise ValueError(f"{where}: {path} records no input shape, so the weights cannot be placed")
    model.load_state_dict(weights)
    settings = config.get("compile_config")
    if compile and settings:
        spec = settings["optimizer"]
        name = spec.get("gradviz_name")
        optimizer = _optimizers.get({"class_name": spec["class_name"], "config": spec["config"]})
        loss = settings["loss"]
        loss = _losses.get(loss) if isinstance(loss, dict) else loss
        metrics = [_metrics.get(m) if isinstance(m, dict) else m for m in settings.get("metrics", [])]
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=settings.get("loss_weights"))
        if name is not None:
            object.__setattr__(model, "_optimizer_name", name)
        saved = {key[len(_OPTIMIZER) :]: value for key, value in state.items() if key.startswith(_OPTIMIZER)}
        scalars = config.get("optimizer_scalars") or {}
        if saved or scalars:
            optimizer.build(model.parameters())
            entries: dict[int, dict[str, Any]] = {}
            for key, value in [*saved.items(), *scalars.items()]:
                index, _, field = key.partition("/")
                entries.setdefault(int(index), {})[field] = value
            current = optimizer.state_dict()
            optimizer.load_state_dict({"state": entries, "param_groups": current["param_groups"]})
            object.__setattr__(model, "optimizer", optimizer)
    return model
