"""gradviz's ``.keras`` files: a zip, as Keras 3's, of ``metadata.json``, ``config.json`` (the architecture and the
compile settings) and ``model.weights.npz`` (the weights and the optimizer's state) — JSON and numpy arrays
only, never a pickle, so loading a file cannot run code. Written through gradviz's file manifest: a file
gradviz did not write is never replaced unless asked (``overwrite=True``); the new file replaces the old in one
rename, so an interrupted write leaves the old one whole.

A file saved while ``fit`` runs (a ModelCheckpoint, a BackupAndRestore) is a *training checkpoint*: it adds
``training.json`` (where the run is: epoch, batch and step; the random generators' states; the History so far; the
epoch's partial results; the optimizer's hyperparameters and update count) and the epoch's arrays in the .npz
(``training/…``). ``fit(..., resume_from=path)`` continues from it exactly (:func:`load_checkpoint`);
:func:`load_model` reads it as any other .keras file.

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

__all__ = ["load_model", "save_model", "load_checkpoint", "FORMAT"]

FORMAT = "gradviz.keras/1"
"""The format name written in each .keras file's metadata.json.

>>> FORMAT
'gradviz.keras/1'
"""

_MEMBERS = ("metadata.json", "config.json", "model.weights.npz")
_TRAINING_MEMBER = "training.json"  # in a training checkpoint only
_JSON_LIMIT = 16 * 2**20  # a config larger than this is not one gradviz wrote
_OPTIMIZER = "optimizer/"
_TRAINING = "training/"  # the npz's arrays of a training checkpoint (the epoch's losses and outputs so far)


def _json(value: Any) -> Any:
    """Tuples as lists, numpy numbers as Python's: what json.dumps takes."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _weights_bytes(model, *, optimizer: bool, extra: dict[str, np.ndarray] | None = None) -> tuple[bytes, dict]:
    arrays = dict(model.state_dict())
    arrays.update({f"{_TRAINING}{key}": value for key, value in (extra or {}).items()})
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
    from ..training import sync

    model._require_built("save_weights")
    sync(model)  # during a fit on the jax backend: the weights of this moment
    data, _ = _weights_bytes(model, optimizer=False)
    write_files({Path(path): data}, overwrite=overwrite)
    return path


def save_model(model, filepath, overwrite: bool = False) -> str:
    """Write `model` to `filepath` (a .keras name); returns the path. ``model.save`` calls it. During ``fit`` the
    file is a training checkpoint (``training.json`` added; see the module's text).

    >>> import os, tempfile
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)])
    >>> os.path.basename(save_model(model, os.path.join(tempfile.mkdtemp(), "m.keras")))
    'm.keras'
    """
    from .. import __version__
    from .. import training as _training
    from ..export._files import write_files

    path = os.fspath(filepath)
    model._require_built("save")
    fit = _training.running(model)
    training, extra = None, None
    if fit is not None:
        _training.sync(model)  # the jax backend's weights and optimizer state of this moment
        training, extra = fit.snapshot()
    config = {"class_name": "Sequential", "config": model.get_config(), "compile_config": model._compile_config()}
    optimizer = config["compile_config"] is not None or training is not None
    weights, scalars = _weights_bytes(model, optimizer=optimizer, extra=extra)
    config["optimizer_scalars"] = scalars
    metadata = {"format": FORMAT, "written_by": "gradviz", "gradviz_version": __version__}
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata, indent=1))
        archive.writestr("config.json", json.dumps(_json(config), indent=1))
        archive.writestr("model.weights.npz", weights)
        if training is not None:
            archive.writestr(_TRAINING_MEMBER, json.dumps(_json(training), indent=1))
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
        for name in (*_MEMBERS, _TRAINING_MEMBER):
            if name not in names:
                continue
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
    state = {key: value for key, value in state.items() if not key.startswith((_OPTIMIZER, _TRAINING))}
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
    weights = {key: value for key, value in state.items() if not key.startswith((_OPTIMIZER, _TRAINING))}
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
        entries = _optimizer_entries(state, config)
        if entries:
            optimizer.build(model.parameters())
            current = optimizer.state_dict()
            optimizer.load_state_dict({"state": entries, "param_groups": current["param_groups"]})
            object.__setattr__(model, "optimizer", optimizer)
    return model


def _optimizer_entries(state: dict[str, np.ndarray], config: dict) -> dict[int, dict[str, Any]]:
    """The optimizer's per-parameter state as saved: its arrays (in the npz) and numbers (in config.json)."""
    saved = {key[len(_OPTIMIZER) :]: value for key, value in state.items() if key.startswith(_OPTIMIZER)}
    scalars = config.get("optimizer_scalars") or {}
    entries: dict[int, dict[str, Any]] = {}
    for key, value in [*saved.items(), *scalars.items()]:
        index, _, field = key.partition("/")
        entries.setdefault(int(index), {})[field] = value
    return entries


_NOT_ARCHITECTURE = ("name", "kernel_initializer", "bias_initializer", "seed")  # what a resumed run may change


def _architecture_differences(saved: dict, model) -> list[str]:
    """How the checkpoint's model (its config.json) and `model` differ in what training depends on, in words."""
    theirs = (saved.get("config") or {}).get("layers") or []
    ours = model.get_config().get("layers") or []
    kinds = [layer.get("class_name") for layer in theirs], [layer.get("class_name") for layer in ours]
    if kinds[0] != kinds[1]:
        return [f"its layers are {', '.join(map(str, kinds[0]))}; this model's are {', '.join(map(str, kinds[1]))}"]
    found = []
    for number, (a, b) in enumerate(zip(theirs, ours, strict=True)):
        a_config, b_config = a.get("config") or {}, b.get("config") or {}
        for key in sorted({*a_config, *b_config} - set(_NOT_ARCHITECTURE)):
            if _json(a_config.get(key)) != _json(b_config.get(key)):
                found.append(
                    f"layer {number} ({b.get('class_name')} {b_config.get('name', '')!r}) has {key}="
                    f"{a_config.get(key)!r} in the checkpoint, {b_config.get(key)!r} in this model"
                )
    return found


def load_checkpoint(model, filepath, where: str = "fit(resume_from)"):
    """Load a training checkpoint (a .keras file written during fit) into `model` — its weights, buffers, the
    optimizer's state, hyperparameters and update count — and return the :class:`gradviz.training.Checkpoint`
    that fit continues from. The model must be the checkpoint's: other layers, shapes, optimizer or loss are
    refused with a message naming the difference. ``fit(resume_from=...)`` and BackupAndRestore call it (the
    model compiled and its optimizer built).

    >>> import os, tempfile
    >>> import numpy as np
    >>> from gradviz import keras
    >>> path = os.path.join(tempfile.mkdtemp(), "run.keras")
    >>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("adam", "mse")
    >>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=2, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(path)])
    >>> load_checkpoint(model, path).epoch          # the next epoch to run
    2
    """
    from .. import training as _training

    path = os.fspath(filepath)
    members = _archive(path, where)
    if _TRAINING_MEMBER not in members:
        raise ValueError(
            f"{where}: {path} is a saved model, not a training checkpoint (it was saved outside fit, so it does not "
            "say where a run stopped): load it with keras.models.load_model or model.load_weights and fit on, or "
            "resume from a file a ModelCheckpoint or BackupAndRestore wrote during fit"
        )
    config = json.loads(members["config.json"])
    training = json.loads(members[_TRAINING_MEMBER])
    state = _read_npz_bytes(members["model.weights.npz"], where)
    arrays = {key[len(_TRAINING) :]: value for key, value in state.items() if key.startswith(_TRAINING)}
    checkpoint = _training.Checkpoint(training, arrays, path)
    model._require_built(where)
    if model.compiled:
        model._ready_optimizer()  # what fit trains with, built on the model's weights, to take the saved state
    differences = _architecture_differences(config, model) if isinstance(config, dict) else []
    weights = {key: value for key, value in state.items() if not key.startswith((_OPTIMIZER, _TRAINING))}
    own = model.state_dict()
    missing, extra = [k for k in own if k not in weights], [k for k in weights if k not in own]
    if missing or extra:
        differences.append(
            "the weights differ: "
            + "; ".join(
                part
                for part in (
                    f"only this model has {', '.join(missing)}" if missing else "",
                    f"only the checkpoint has {', '.join(extra)}" if extra else "",
                )
                if part
            )
        )
    differences += [
        f"{key} has shape {tuple(weights[key].shape)} in the checkpoint, {tuple(value.shape)} in this model"
        for key, value in own.items()
        if key in weights and tuple(weights[key].shape) != tuple(value.shape)
    ]
    optimizer, saved_optimizer = model.optimizer, training.get("optimizer") or {}
    if optimizer is not None and saved_optimizer.get("class_name") not in (None, type(optimizer).__name__):
        differences.append(
            f"it was trained with the optimizer {saved_optimizer['class_name']}, this model is compiled with "
            f"{type(optimizer).__name__}"
        )
    saved_compile, own_compile = (config.get("compile_config") or {}), (model._compile_config() or {})
    if saved_compile.get("loss") is not None and own_compile.get("loss") is not None:
        if _json(saved_compile["loss"]) != _json(own_compile["loss"]):
            differences.append(f"its loss is {saved_compile['loss']!r}, this model's {own_compile['loss']!r}")
    if differences:
        raise ValueError(
            f"{where}: {path} is a checkpoint of another model: " + "; ".join(differences) + ". Build and compile "
            "the model as the run that wrote it did, or start a new run "
            + ("without resume_from" if where.startswith("fit") else "(delete the backup or give another folder)")
        )
    model.load_state_dict(weights)
    if optimizer is not None:
        groups = saved_optimizer.get("param_groups")
        current = optimizer.state_dict()
        if groups is not None and len(groups) == len(current["param_groups"]):
            groups = [
                {**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}, "params": own_group["params"]}
                for saved, own_group in zip(groups, current["param_groups"], strict=True)
            ]
        else:
            groups = current["param_groups"]
        optimizer.load_state_dict({"state": _optimizer_entries(state, config), "param_groups": groups})
        if "iterations" in saved_optimizer and hasattr(optimizer, "_iterations"):
            optimizer._iterations = int(saved_optimizer["iterations"])
    return checkpoint
