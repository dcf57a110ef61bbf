"""The JAX backend: a keras model's loss graph compiled into one jitted training step, run on every device.

How it works. The model is traced once per batch shape with gradviz Tensors (the numpy engine), which
records the graph of the loss: each node carries its op's name and parameters, the leaves are the
parameters, the input batch, the targets and constants. That graph is replayed as a pure function
``loss(params, x, y)`` that evaluates every node with ``OPS[name].forward(jax.numpy, ...)`` — the same
declaration the numpy engine runs, no second copy of the maths — inside ``jax.named_scope(<layer>)``,
so ``jax.make_jaxpr`` shows each equation's layer. ``jax.value_and_grad`` of it and the optimizer's
update (the numpy optimizers' rules, written functionally) form one ``jax.jit`` step with donated
buffers; an epoch's full batches run as one ``lax.scan`` over data that went to the device once per
``fit`` (or is streamed a chunk of batches at a time when it does not fit in device memory).

The model is traced twice with different data, and anything in the graph that changed without
being an input (a constant or an op parameter computed from ``.data`` in numpy) is refused with a
message: the compiled function could not follow it from batch to batch.

Precision: ``dtype=None`` trains in the model's dtype on the CPU (float64 by default, exact parity
with the numpy backend) and in float32 on a GPU/TPU; 'float64' turns on ``jax_enable_x64`` only for
the duration of the call (``jax.enable_x64``), 'bfloat16' computes the layers in bfloat16 with
float32 master weights, optimizer state and loss.

Devices: ``devices=None`` uses every device JAX sees (``jax.devices()``); the batch is split over a
one-axis mesh ('batch') and the parameters are replicated, so XLA adds the gradient all-reduce (a
batch whose size is not a multiple of the number of devices runs replicated instead).
Several hosts: start the same script on every host with the same data and seed, and call
``jax.distributed.initialize()`` (coordinator address, number of processes and process id, or
nothing on a managed cluster such as SLURM or Cloud TPU) before ``fit``; ``jax.devices()`` then lists
the devices of every host, each host places its own shard of every batch, and the parameters stay
identical everywhere.

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.backends.jax import loss_function
>>> model = keras.Sequential([keras.Dense(4, activation="relu", input_dim=3), keras.Dense(2, activation="softmax")],
...                          seed=0).compile("adam", "sparse_categorical_crossentropy")
>>> X, y = np.ones((5, 3)), np.array([0, 1, 0, 1, 1])
>>> loss, params = loss_function(model, X, y)
>>> sorted(params)
['dense.bias', 'dense.weight', 'dense_1.bias', 'dense_1.weight']
>>> round(float(loss(params, X, y)), 4) == round(model.evaluate(X, y, verbose=0), 4)
True
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import require_jax

jax = require_jax()

import jax.numpy as jnp  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

from .. import training as _training  # noqa: E402
from ..callbacks import Callback, CallbackList, GradientRecorder, History  # noqa: E402
from ..context import enable_grad  # noqa: E402
from ..graph import nodes_in_order  # noqa: E402
from ..i18n import message  # noqa: E402
from ..interpret import Step, evaluate, forward  # noqa: E402
from ..ops import OPS  # noqa: E402
from ..optim import optimizers as _optimizers  # noqa: E402
from ..tensor import Tensor  # noqa: E402

__all__ = ["Program", "compile_graph", "loss_function", "predict", "parameters", "load_parameters", "DTYPES"]

DTYPES = ("float32", "float64", "bfloat16")
"""The precisions the jax backend trains in (``fit(backend="jax", dtype=...)``, :func:`predict`, :func:`parameters`).

>>> import numpy as np
>>> from gradviz import keras
>>> from gradviz.backends.jax import DTYPES, predict
>>> DTYPES
('float32', 'float64', 'bfloat16')
>>> model = keras.Sequential([keras.Dense(2, activation="softmax", input_dim=2)], seed=0)
>>> X = np.array([[1.0, 2.0], [3.0, -4.0]])
>>> [float(np.abs(predict(model, X, dtype=dtype) - model.predict(X, verbose=0)).max()) < 1e-6 for dtype in DTYPES]
[True, True, False]
"""

_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

DEVICE_DATA_FRACTION = 0.4
"""The share of a device's memory the training data may take before fit streams it in chunks instead."""

# in bfloat16 runs these ops get float32 inputs: a loss or a softmax in 8 bits of mantissa is noise
_FULL_PRECISION = frozenset(
    {"cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse", "softmax", "log_softmax"}
)


# -- the graph, compiled ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    slot: int
    kind: str  # "param", "x", "y" or "const"
    name: str = ""  # the parameter's dotted name
    shape: tuple = ()
    dtype: Any = None
    value: Any = None  # a constant's array


@dataclass(frozen=True)
class Program:
    """A loss (or prediction) graph recorded by the numpy engine, ready to run on jax.numpy.

    `leaves` say where each input comes from, `steps` are ``(slot, op, input slots, op params,
    scope)`` in topological order, `outputs` the slots returned, `rows` the batch size it was
    recorded for (shape-dependent op parameters, e.g. a Flatten's reshape, hold that size).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> X, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0], [0.0]])
    >>> program = compile_graph(model, X, y)
    >>> [op.name for _, op, _, _, _ in program.steps], [leaf.kind for leaf in program.leaves], program.rows
    (['transpose', 'matmul', 'add', 'mse'], ['x', 'param', 'param', 'y'], 2)
    >>> loss, predictions = program.run(parameters(model), X, y)
    >>> round(float(loss), 4) == round(model.evaluate(X, y, verbose=0), 4), predictions.shape
    (True, (2, 1))
    """

    leaves: tuple[_Leaf, ...]
    steps: tuple[Step, ...]  # gradviz.interpret.Step: (slot, op, input slots, params, scope)
    outputs: tuple[int, ...]
    rows: int
    size: int

    def signature(self) -> tuple:
        """Everything the compiled function depends on, hashable: equal signatures compute the same thing."""
        return self._signature

    @functools.cached_property
    def _signature(self) -> tuple:
        # computed once per Program (it copies every constant's bytes); a frozen dataclass still has a __dict__
        leaves = tuple(
            (leaf.slot, leaf.kind, leaf.name, leaf.shape, str(leaf.dtype), _frozen(leaf.value)) for leaf in self.leaves
        )
        steps = tuple((slot, op.name, inputs, _frozen(params), scope) for slot, op, inputs, params, scope in self.steps)
        return (self.rows, self.size, self.outputs, leaves, steps)

    def run(self, params: dict, x, y=None, compute=None) -> tuple:
        """Evaluate the graph with jax.numpy: every node by its op's registered forward, in its layer's named scope."""
        compute = jnp.dtype(compute) if compute is not None else None
        low = compute is not None and compute == jnp.bfloat16
        # ops outside every layer (the loss) get a box of their own beside the layers, inside the model's scope
        model_scope = next((scope.split("/")[0] for *_, scope in self.steps if scope), None)
        loss_scope = f"{model_scope}/loss" if model_scope else "loss"
        values: list[Any] = [None] * self.size
        for leaf in self.leaves:
            if leaf.kind == "param":
                value = params[leaf.name]
                if low:
                    value = value.astype(compute)
            elif leaf.kind == "x":
                value = x if compute is None or x.dtype == compute else x.astype(compute)
            elif leaf.kind == "y":
                value = jnp.reshape(y, leaf.shape)
                wanted = _device_dtype(leaf.dtype, jnp.float32 if low else compute)
                if value.dtype != wanted:
                    value = value.astype(wanted)
            else:
                value = leaf.value
                if compute is not None and value.dtype.kind == "f":
                    value = value.astype(compute)
            values[leaf.slot] = value

        def call(step: Step, args: list):
            if low and step.spec.name in _FULL_PRECISION:
                args = [a.astype(jnp.float32) if jnp.issubdtype(a.dtype, jnp.floating) else a for a in args]
            with jax.named_scope(step.scope or loss_scope):
                return forward(step, jnp, args)

        evaluate(self.steps, jnp, values, call=call)
        return tuple(values[i] for i in self.outputs)


def _frozen(value) -> Any:
    """A hashable stand-in for op parameters and hyperparameters (arrays by their bytes)."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, str(value.dtype), value.tobytes())
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *(_frozen(v) for v in value))
    if isinstance(value, slice):
        return ("slice", value.start, value.stop, value.step)
    return value


def _record(model, x: np.ndarray, y: np.ndarray | None) -> tuple[Tensor, list]:
    """Run the model (and its loss, when `y` is given) on numpy Tensors, recording every op."""
    xt = Tensor(x, requires_grad=True, dtype=x.dtype)  # so that ops on the input are recorded too
    with enable_grad(), np.errstate(all="ignore"):
        if y is None:
            return xt, [model(xt)]
        out = model(xt, logits=model._fused())
        return xt, [model._loss_of(out, y), out]


def _perturbed(y: np.ndarray, classes: int) -> np.ndarray:
    """Other valid targets, different in every element: how the second recording tells y-derived leaves apart."""
    if y.dtype.kind in "iub":
        top = max(int(y.max()) + 1 if y.size else 2, classes, 2)
        return ((y.astype(np.int64) + 1) % top).astype(y.dtype)
    if y.size and np.all((y >= 0) & (y <= 1)) and not np.all(y == 0.5):
        return (1.0 - y).astype(y.dtype)
    if y.size and np.all(np.isin(y, (-1.0, 1.0))):
        return -y
    return (y + 1.0).astype(y.dtype)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _as_leaf(y: np.ndarray, leaf) -> np.ndarray | None:
    data = leaf.data
    if y.size != data.size:
        return None
    return y.reshape(data.shape).astype(data.dtype)


def _not_followed(what: str, node, where: str) -> ValueError:
    scope = f" in scope {node.scope!r}" if node.scope else ""
    return ValueError(
        f"{where}: the jax backend recorded the loss twice with different data and {what}{scope} changed although it "
        "is not an input: it was computed from the data outside gradviz's ops (numpy on .data, or Python decisions on "
        "values), so a compiled step could not follow it from batch to batch. Write that part with Tensor ops "
        "(gradviz.functional), or train with backend='numpy'."
    )


def compile_graph(model, x: np.ndarray, y: np.ndarray | None, where: str = "jax backend") -> Program:
    """Record `model`'s loss on (x, y) — or its predictions when y is None — as a :class:`Program`.

    `x` and `y` are arrays as fit prepares them (``model._inputs``, ``model._targets``). The model runs
    twice, on (x, y) and on other values of the same shape; whatever changes between the two without
    being an input is refused (ValueError), since a compiled step could not follow it.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, activation="relu", input_dim=3)], seed=0).compile("sgd", "mse")
    >>> program = compile_graph(model, np.ones((4, 3)), np.zeros((4, 2)))
    >>> [op.name for _, op, _, _, _ in program.steps], program.rows
    (['transpose', 'matmul', 'add', 'relu', 'mse'], 4)
    >>> sorted({leaf.kind for leaf in program.leaves})
    ['param', 'x', 'y']
    """
    names = {id(p): name for name, p in model.named_parameters()}
    classes = int(model._output_shapes[-1][-1]) if model._output_shapes and model._output_shapes[-1] else 2
    x_other = (x * 1.5 + 0.25).astype(x.dtype)
    y_other = None if y is None else _perturbed(y, classes)
    x_first, roots_first = _record(model, x, y)
    x_second, roots_second = _record(model, x_other, y_other)
    first, second = nodes_in_order(roots_first), nodes_in_order(roots_second)
    if len(first) != len(second):
        raise _not_followed("the number of operations", roots_first[0], where)
    slot = {id(node): i for i, node in enumerate(first)}
    leaves, steps = [], []
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        if a.spec is not b.spec:
            raise _not_followed(f"operation {i} ({a.op or 'a leaf'} / {b.op or 'a leaf'})", a, where)
        if a.spec is not None:
            if not _same(a.params, b.params):
                raise _not_followed(f"a parameter of op {a.op!r}", a, where)
            steps.append(Step(i, a.spec, tuple(slot[id(p)] for p in a.inputs), a.params, a.scope))
        elif id(a) in names or id(b) in names:
            if names.get(id(a)) != names.get(id(b)):
                raise _not_followed(f"leaf {i} (a parameter in one recording only)", a, where)
            leaves.append(_Leaf(i, "param", name=names[id(a)]))
        elif a is x_first or b is x_second:
            if not (a is x_first and b is x_second):
                raise _not_followed(f"leaf {i} (the input in one recording only)", a, where)
            leaves.append(_Leaf(i, "x"))
        elif _same(a.data, b.data):
            leaves.append(_Leaf(i, "const", value=np.asarray(a.data)))
        else:
            as_first = None if y is None else _as_leaf(y, a)
            as_second = None if y is None else _as_leaf(y_other, b)
            if as_first is None or as_second is None or not _same(as_first, a.data) or not _same(as_second, b.data):
                consumer = next((n for n in first[i + 1 :] if any(p is a for p in n.inputs)), a)
                raise _not_followed(f"an input of op {consumer.op!r}", consumer, where)
            leaves.append(_Leaf(i, "y", shape=a.data.shape, dtype=a.data.dtype))
    return Program(
        leaves=tuple(leaves),
        steps=tuple(steps),
        outputs=tuple(slot[id(root)] for root in roots_first),
        rows=len(x),
        size=len(first),
    )


def _device_dtype(dtype, compute):
    """The jax dtype an array of numpy `dtype` takes on the device: floats the compute dtype, integers the
    widest integer JAX allows now (int32 without x64)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return jnp.dtype(compute) if compute is not None else jnp.dtype(dtype)
    if dtype.kind in "iu":
        return jnp.dtype(jnp.int64) if jax.config.jax_enable_x64 else jnp.dtype(jnp.int32)
    return jnp.dtype(dtype)


def _host_array(array: np.ndarray, compute) -> np.ndarray:
    """`array` converted on the host to what it will be on the device (so the transfer moves the final bytes)."""
    wanted = _device_dtype(array.dtype, compute)
    if wanted == jnp.bfloat16:
        wanted = np.float32  # numpy has no bfloat16: the program casts on the device
    return np.asarray(array, dtype=wanted)


# -- precision and devices ----------------------------------------------------------------------------


def _devices(devices) -> list:
    everything = jax.devices()
    if devices is None:
        return everything
    if isinstance(devices, bool):
        raise TypeError(f"devices must be None, a number of devices or a list of jax devices, got {devices!r}")
    if isinstance(devices, (int, np.integer)):
        if not 1 <= devices <= len(everything):
            raise ValueError(
                f"devices={devices}: JAX sees {len(everything)} device(s) ({_describe(everything)}); ask for 1 to "
                f"{len(everything)}, or None for all"
            )
        return everything[: int(devices)]
    chosen = list(devices)
    if not chosen or not all(hasattr(d, "platform") for d in chosen):
        raise TypeError("devices must be None, a number of devices or a non-empty list of jax devices (jax.devices())")
    return chosen


def _describe(devices: Sequence) -> str:
    kinds: dict[str, int] = {}
    for device in devices:
        kinds[device.platform] = kinds.get(device.platform, 0) + 1
    return ", ".join(f"{count} {platform}" for platform, count in kinds.items())


def _dtype_name(dtype, model, devices: Sequence) -> str:
    if dtype is None:
        return model._dtype().name if devices[0].platform == "cpu" else "float32"
    name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", None) or np.dtype(dtype).name
    name = str(name).lower()
    if name not in DTYPES:
        raise ValueError(
            f"the jax backend trains in {', '.join(DTYPES)}, not {dtype!r} (None: the model's dtype on the CPU, "
            "float32 on a GPU/TPU)"
        )
    return name


def _options(model, dtype, devices) -> tuple[list, str]:
    """fit's `devices` and `dtype` for the jax backend, checked: (the devices, the precision's name); a bad one
    raises a ValueError/TypeError that lists the choices."""
    chosen = _devices(devices)
    return chosen, _dtype_name(dtype, model, chosen)


def _precision(name: str):
    """float64 needs jax_enable_x64: switched on for this block only, so the rest of the program keeps JAX's default."""
    return jax.enable_x64(True) if name == "float64" else contextlib.nullcontext()


def _to_host(array) -> np.ndarray:
    if getattr(array, "is_fully_addressable", True):
        return np.asarray(array)
    from jax.experimental import multihost_utils  # several hosts: gather the other hosts' shards

    return np.asarray(multihost_utils.process_allgather(array, tiled=True))


def _device_memory(device) -> int | None:
    """Bytes of memory a device offers (None when JAX does not say, as on the CPU)."""
    try:
        stats = device.memory_stats()
    except Exception:  # some platforms raise instead of returning None
        return None
    return int(stats["bytes_limit"]) if stats and "bytes_limit" in stats else None


# -- optimizers, functionally ----------------------------------------------------------------------------


class _Optimizer:
    """A gradviz optimizer's update as a pure function of (params, grads, state, learning rates): its own
    ``rule`` (written once over numpy or jax.numpy), run on jax.numpy; state imported from and written back
    to it."""

    def __init__(self, optimizer, named: dict[str, Any], trainable: Sequence[str], dtype) -> None:
        kind = type(optimizer)
        if kind.rule is _optimizers.Optimizer.rule or kind._update is not _optimizers.Optimizer._update:
            raise TypeError(
                f"the jax backend runs an optimizer's rule(); {kind.__name__} has its own in-place _update (numpy "
                "only), so train it with backend='numpy' or write its update as rule() (see gradviz.optim.Optimizer)"
            )
        self.optimizer = optimizer
        self.rule = f"{kind.__module__}.{kind.__qualname__}"  # what the compiled step computes, for its cache key
        self.decoupled = bool(getattr(optimizer, "_decoupled", False))
        self.dtype = dtype
        group_of = {id(p): g for g, group in enumerate(optimizer.param_groups) for p in group["params"]}
        self.names = [name for name in trainable if id(named[name]) in group_of]
        self.params = {name: named[name] for name in self.names}
        self.group = {name: group_of[id(named[name])] for name in self.names}
        self.hyper = {
            name: {k: v for k, v in optimizer.param_groups[self.group[name]].items() if k not in ("params", "lr")}
            for name in self.names
        }

    def learning_rates(self):
        return jnp.asarray([group["lr"] for group in self.optimizer.param_groups], dtype=self.dtype)

    def init(self) -> dict:
        state = {}
        for name in self.names:
            p, h = self.params[name], self.hyper[name]
            saved = self.optimizer.state.get(p) or {}
            steps = int(saved.get("step", 1 if "momentum_buffer" in saved else 0))
            entry = {"step": jnp.asarray(steps, dtype=jnp.int32)}
            for key, fill in self.optimizer.initial_state(h).items():
                if key in saved and saved[key] is not None:
                    entry[key] = jnp.asarray(np.asarray(saved[key]), dtype=self.dtype)
                else:
                    entry[key] = jnp.full(p.data.shape, fill, dtype=self.dtype)
            state[name] = entry
        return state

    def update(self, params: dict, grads: dict, state: dict, rates) -> tuple[dict, dict]:
        params, state = dict(params), dict(state)
        for name in self.names:
            p, entry = params[name], state[name]
            t = entry["step"] + 1
            arrays = {key: value for key, value in entry.items() if key != "step"}
            params[name], arrays = self.optimizer.rule(
                jnp, p, grads[name].astype(p.dtype), arrays, self.hyper[name], rates[self.group[name]], t
            )
            state[name] = {"step": t, **arrays}
        return params, state

    def write_back(self, state: dict) -> None:
        """Copy the state into the numpy optimizer, so a later fit (either backend) continues from it."""
        for name in self.names:
            p, entry = self.params[name], state[name]
            steps = int(_to_host(entry["step"]))
            if steps == 0:
                continue
            arrays = {
                key: np.array(_to_host(value), dtype=p.data.dtype) for key, value in entry.items() if key != "step"
            }
            if self.optimizer.tracks_steps:
                arrays["step"] = steps
            self.optimizer.state[p] = arrays


# -- the training step --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setup:
    """What the jitted functions close over: plain settings, never the model (they are cached per model, weakly)."""

    compute: Any
    param_dtype: Any
    mesh: Any
    names: tuple[str, ...]
    loss_kind: str
    metrics: bool
    recorders: bool

    def sharded(self, rows: int) -> bool:
        return self.mesh.size > 1 and rows % self.mesh.size == 0

    def constrain(self, array, leading: int):
        """Split the batch axis (after `leading` axes) over the devices; the parameters stay replicated."""
        if not self.sharded(array.shape[leading]):
            return array
        spec = PartitionSpec(*([None] * leading), "batch")
        return jax.lax.with_sharding_constraint(array, NamedSharding(self.mesh, spec))

    def outputs(self, out):
        """What the metrics read, computed on the device: probabilities after a fused softmax/sigmoid, else outputs."""
        if not self.metrics:
            return jnp.zeros((0,), self.param_dtype)
        if self.loss_kind not in ("categorical", "sparse", "binary"):
            return out
        z = out.astype(jnp.float32) if out.dtype == jnp.bfloat16 else out
        return OPS["sigmoid" if self.loss_kind == "binary" else "softmax"].forward(jnp, z)


class _Trainer:
    """Everything one fit keeps on the devices: parameters, optimizer state, data, and its jitted functions."""

    def __init__(self, model, dtype_name: str, devices: list, recorders: bool, metrics: bool) -> None:
        self.model = model
        self.dtype_name = dtype_name
        self.compute = jnp.dtype(dtype_name)
        self.param_dtype = jnp.dtype(jnp.float32) if dtype_name == "bfloat16" else self.compute
        self.devices = devices
        self.mesh = Mesh(np.array(devices), ("batch",))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.named = dict(model.named_parameters())
        self.recorders = recorders
        self.metrics = metrics
        self.programs: dict[int, Program] = {}
        self.setup = _Setup(
            self.compute, self.param_dtype, self.mesh, tuple(self.named), model._loss.kind, metrics, recorders
        )
        # jitted functions outlive one fit (a dashboard that fits one epoch at a time compiles once): kept per
        # model, under a key that holds everything they were built from
        self.functions: dict[tuple, Callable] = _COMPILED.setdefault(model, {})
        self.params = jax.device_put(
            {name: jnp.asarray(p.data, dtype=self.param_dtype) for name, p in self.named.items()}, self.replicated
        )
        self.optimizer = None
        self.state = None
        self._rates: tuple | None = None
        # each program's key, built once per fit: a batch-by-batch fit asks for it every batch (the programs
        # live in self.programs as long as the trainer, so their ids stay theirs)
        self._keys: dict[tuple[int, bool], tuple] = {}

    # the graph for a batch size, and the parameters it trains
    def program(self, rows: int, X: np.ndarray, Y: np.ndarray) -> Program:
        if rows not in self.programs:
            self.programs[rows] = compile_graph(self.model, X[:rows], Y[:rows], "fit(backend='jax')")
            if self.optimizer is None:
                used = {leaf.name for leaf in self.programs[rows].leaves if leaf.kind == "param"}
                trainable = [name for name, p in self.named.items() if name in used and p.requires_grad]
                self.optimizer = _Optimizer(self.model.optimizer, self.named, trainable, self.param_dtype)
                self.state = jax.device_put(self.optimizer.init(), self.replicated)
        return self.programs[rows]

    def _key(self, program: Program) -> tuple:
        memo = (id(program), self.optimizer is None)
        if memo not in self._keys:
            self._keys[memo] = self._new_key(program)
        return self._keys[memo]

    def _new_key(self, program: Program) -> tuple:
        optimizer = self.optimizer
        return (
            program.signature(),
            self.dtype_name,
            tuple(device.id for device in self.devices),
            self.recorders,
            self.metrics,
            self.model._loss.kind if self.model._loss is not None else None,
            tuple((name, p.data.shape) for name, p in self.named.items()),
            (
                optimizer.rule,
                optimizer.decoupled,
                tuple(optimizer.names),
                _frozen(optimizer.hyper),
                _frozen(optimizer.group),
            )
            if optimizer is not None
            else None,
        )

    def _step_body(self, program: Program) -> Callable:
        setup, optimizer = self.setup, self.optimizer

        def loss_of(params, x, y):
            loss, out = program.run(params, x, y, setup.compute)
            return loss.astype(setup.param_dtype), out

        def step(params, state, rates, x, y):
            (loss, out), grads = jax.value_and_grad(loss_of, has_aux=True)(params, x, y)
            params, state = optimizer.update(params, grads, state, rates)
            if setup.recorders:
                stats = jnp.stack(
                    [
                        jnp.stack([jnp.mean(jnp.abs(grads[n])), jnp.sqrt(jnp.sum(grads[n] * grads[n]))])
                        for n in setup.names
                    ]
                ).astype(setup.param_dtype)
            else:
                stats = jnp.zeros((len(setup.names), 2), setup.param_dtype)
            return params, state, loss, setup.outputs(out), stats

        return step

    def epoch_function(self, program: Program, resident: bool) -> Callable:
        """One jitted call for the epoch's full batches: a lax.scan of the step (with the gather from the
        resident data first, when the data lives on the devices)."""
        key = ("epoch", resident, *self._key(program))
        if key in self.functions:
            return self.functions[key]
        step, rows, setup = self._step_body(program), program.rows, self.setup

        def scan(params, state, rates, xs, ys):
            xs, ys = setup.constrain(xs, 1), setup.constrain(ys, 1)

            def body(carry, batch):
                params, state, totals = carry
                params, state, loss, outputs, stats = step(params, state, rates, *batch)
                return (params, state, totals + stats), (loss, outputs)

            totals = jnp.zeros((len(setup.names), 2), setup.param_dtype)
            (params, state, totals), (losses, outputs) = jax.lax.scan(body, (params, state, totals), (xs, ys))
            return params, state, losses, outputs, totals

        if resident:

            def function(params, state, rates, X, Y, rows_taken):
                batches = rows_taken.shape[0] // rows
                xs = X[rows_taken].reshape(batches, rows, *X.shape[1:])
                ys = Y[rows_taken].reshape(batches, rows, *Y.shape[1:])
                return scan(params, state, rates, xs, ys)

        else:
            function = scan
        self.functions[key] = jax.jit(function, donate_argnums=(0, 1))
        return self.functions[key]

    def step_function(self, program: Program) -> Callable:
        """One jitted step on the rows `rows_taken` of the resident data (a last, smaller batch; or every
        batch when a callback wants to hear about each one)."""
        key = ("step", *self._key(program))
        if key in self.functions:
            return self.functions[key]
        step, setup = self._step_body(program), self.setup

        def function(params, state, rates, X, Y, rows_taken):
            x, y = setup.constrain(X[rows_taken], 0), setup.constrain(Y[rows_taken], 0)
            return step(params, state, rates, x, y)

        self.functions[key] = jax.jit(function, donate_argnums=(0, 1))
        return self.functions[key]

    def evaluate_function(self, program: Program) -> Callable:
        key = ("evaluate", *self._key(program))
        if key not in self.functions:
            setup = self.setup

            def function(params, x, y):
                loss, out = program.run(params, setup.constrain(x, 0), y, setup.compute)
                return loss.astype(setup.param_dtype), setup.outputs(out)

            self.functions[key] = jax.jit(function)
        return self.functions[key]

    def rates(self):
        """The optimizer's learning rates as they are now, on the devices (sent again only when one changed)."""
        now = tuple(group["lr"] for group in self.optimizer.optimizer.param_groups)
        if self._rates is None or self._rates[0] != now:
            self._rates = (now, jax.device_put(self.optimizer.learning_rates(), self.replicated))
        return self._rates[1]

    def put(self, array: np.ndarray, sharded_axis: int | None = None):
        array = _host_array(array, self.param_dtype)
        if sharded_axis is None or not self.setup.sharded(array.shape[sharded_axis]):
            return jax.device_put(array, self.replicated)
        spec = PartitionSpec(*([None] * sharded_axis), "batch")
        return jax.device_put(array, NamedSharding(self.mesh, spec))

    def load_into_model(self) -> None:
        for name, value in self.params.items():
            target = self.named[name].data
            target[...] = np.asarray(_to_host(value), dtype=target.dtype)


def _wants_batches(callback: Callback) -> bool:
    """Whether a callback does something per batch (then the jax backend runs and reports batch by batch)."""
    if isinstance(callback, (History, GradientRecorder)):
        return False
    kind = type(callback)
    for hook in ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"):
        if getattr(kind, hook) is not getattr(Callback, hook) or hook in vars(callback):
            return True
    return False


def _feed_recorder(recorder: GradientRecorder, trainer: _Trainer, totals: np.ndarray, batches: int) -> None:
    """Add one epoch of per-batch gradient statistics, computed on the device, as GradientRecorder.record would."""
    for index, (name, p) in enumerate(trainer.named.items()):
        if name not in trainer.optimizer.params:
            continue  # numpy leaves its gradient None, and the recorder skips it
        if not recorder.include_biases and p.data.ndim < 2:
            continue
        key = name if recorder.include_biases else (name.rsplit(".", 1)[0] if "." in name else name)
        recorder.add_batches(key, float(totals[index, 0]), float(totals[index, 1]), batches)


class Runner(_training.Runner):
    """``Sequential.fit(backend="jax")``'s batches: compiled steps on the devices, for gradviz's one training loop
    (:func:`gradviz.training.train`). The epoch's batches run as one scanned program, or batch by batch when a
    callback has per-batch hooks; the weights come back into the model at the end of every epoch."""

    def __init__(self, model, X: np.ndarray, Y: np.ndarray, *, options: tuple[list, str], verbose: int = 0) -> None:
        self.model, self.X, self.Y, self.verbose = model, X, Y, verbose
        self.devices, self.dtype_name = options  # _options(model, dtype, devices): the devices and the precision
        self.trainer: _Trainer | None = None

    def __enter__(self) -> Runner:
        self._precision = _precision(self.dtype_name)  # the whole fit runs in the precision's x64 scope
        self._precision.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        try:
            trainer = self.trainer
            if trainer is not None and trainer.optimizer is not None and trainer.state is not None:
                trainer.optimizer.write_back(trainer.state)
        finally:
            self._precision.__exit__(*exc)

    def begin(self, callbacks: CallbackList, batch_size: int) -> CallbackList:
        model, X, Y = self.model, self.X, self.Y
        n = len(X)
        self.batch_size = batch_size
        self.full, self.last = divmod(n, batch_size)
        self.recorders = [c for c in callbacks.callbacks if isinstance(c, GradientRecorder)]
        per_batch = [c for c in callbacks.callbacks if _wants_batches(c)]
        self.per_batch = bool(per_batch)
        self.metrics = bool(model._metric_names)
        trainer = self.trainer = _Trainer(model, self.dtype_name, self.devices, bool(self.recorders), self.metrics)
        if self.verbose:
            platforms = _describe(self.devices).replace(" ", " × ")
            print(message("backends.jax_start", devices=platforms, dtype=self.dtype_name))
        for p in model.parameters():
            p.grad = None  # gradients live on the device: a stale numpy one must not look current
        self.main = trainer.program(batch_size if self.full else self.last, X, Y)
        self.tail = trainer.program(self.last, X, Y) if self.full and self.last else None
        # converted once, on the host, to what the devices hold (float32 for a float64 model trained in float32)
        self.X_host, self.Y_host = _host_array(X, trainer.param_dtype), _host_array(Y, trainer.param_dtype)
        memory = _device_memory(self.devices[0])
        data_bytes = self.X_host.nbytes + self.Y_host.nbytes
        self.resident = memory is None or 2 * data_bytes <= DEVICE_DATA_FRACTION * memory
        if self.resident:
            self.X_dev, self.Y_dev = trainer.put(self.X_host), trainer.put(self.Y_host)
        else:
            batch_bytes = max(1, data_bytes // max(n, 1) * batch_size)
            self.chunk = max(1, int(DEVICE_DATA_FRACTION * memory / 4 // batch_bytes))
        return CallbackList(per_batch)

    def _one_batch(self, epoch: _training.Epoch, order: np.ndarray, rows_dev, batch: int, rates) -> tuple:
        """One compiled step on the epoch's batch `batch`: (loss, outputs, gradient statistics)."""
        trainer = self.trainer
        rows = epoch.rows(batch)
        program = self.main if rows.stop - rows.start == self.main.rows else self.tail
        if self.resident:
            X_in, Y_in, taken = self.X_dev, self.Y_dev, rows_dev[rows]
        else:
            X_in, Y_in = trainer.put(self.X_host[order[rows]]), trainer.put(self.Y_host[order[rows]])
            taken = jnp.arange(rows.stop - rows.start)
        trainer.params, trainer.state, loss, out, stats = trainer.step_function(program)(
            trainer.params, trainer.state, rates, X_in, Y_in, taken
        )
        return loss, out, stats

    def run(self, epoch: _training.Epoch) -> None:
        trainer, metrics, batch_size, full = self.trainer, self.metrics, self.batch_size, self.full
        order = epoch.order if epoch.order is not None else np.arange(epoch.n)
        rates = trainer.rates()
        rows_dev = trainer.put(order.astype(np.int32)) if self.resident else None
        one_batch = functools.partial(self._one_batch, epoch, order, rows_dev)
        # the epoch's start, kept (the steps donate their buffers): a nan/inf loss is found once the batches
        # ran, and the loop stops before that batch's update, so the weights are rebuilt up to it
        start = jax.tree_util.tree_map(jnp.copy, (trainer.params, trainer.state))
        pieces = []  # (losses, outputs, totals) still on the device, fetched once at the end of the epoch
        rates_used = []  # per batch: a batch hook may change the learning rate
        if self.per_batch:
            for batch in range(epoch.steps):
                epoch.begin(batch)
                rates = trainer.rates()
                rates_used.append(rates)
                loss, out, stats = one_batch(batch, rates)
                value = float(_to_host(loss))
                if not epoch.loss(batch, value):
                    _replay_until(trainer, start, batch, one_batch, rates_used)
                    return
                pieces.append((loss[None], out[None] if metrics else None, stats))
                epoch.end(batch, value)
        else:
            if full:
                epoch_rows = order[: full * batch_size].astype(np.int32)
                if self.resident:
                    result = trainer.epoch_function(self.main, True)(
                        trainer.params, trainer.state, rates, self.X_dev, self.Y_dev, trainer.put(epoch_rows)
                    )
                    trainer.params, trainer.state = result[:2]
                    pieces.append(result[2:])
                else:
                    X, Y = self.X, self.Y
                    for first in range(0, full, self.chunk):
                        taken = epoch_rows[first * batch_size : min(first + self.chunk, full) * batch_size]
                        xs = self.X_host[taken].reshape(-1, batch_size, *X.shape[1:])
                        ys = self.Y_host[taken].reshape(-1, batch_size, *Y.shape[1:])
                        result = trainer.epoch_function(self.main, False)(
                            trainer.params, trainer.state, rates, trainer.put(xs, 1), trainer.put(ys, 1)
                        )
                        trainer.params, trainer.state = result[:2]
                        pieces.append(result[2:])
            if self.last:
                loss, out, stats = one_batch(full, rates)
                pieces.append((loss[None], out[None] if metrics else None, stats))
            rates_used = [rates] * epoch.steps
        losses, self.totals = [], np.zeros((len(trainer.named), 2))
        for piece_losses, piece_outputs, piece_totals in jax.tree_util.tree_map(_to_host, pieces):
            losses.extend(np.asarray(piece_losses, dtype=np.float64).reshape(-1).tolist())
            if metrics:
                epoch.outputs.append(np.asarray(piece_outputs, dtype=np.float64).reshape(-1, *piece_outputs.shape[2:]))
            self.totals += np.asarray(piece_totals, dtype=np.float64)
        if not self.per_batch:
            finite = epoch.losses(losses)
            if finite < len(losses):
                _replay_until(trainer, start, finite, one_batch, rates_used)

    def end_epoch(self, epoch: _training.Epoch) -> None:
        self.trainer.load_into_model()
        for recorder in self.recorders:
            _feed_recorder(recorder, self.trainer, self.totals, epoch.steps)

    def validate(self, X: np.ndarray, Y: np.ndarray, Y_metric: np.ndarray) -> dict[str, float]:
        return _evaluate(self.trainer, X, Y, Y_metric)


def _replay_until(trainer: _Trainer, start: tuple, bad: int, one_batch: Callable, rates_used: list) -> None:
    """The weights as the numpy loop leaves them at a nan/inf loss: from the epoch's `start`, the batches
    before `bad` run again (the same compiled steps, data and rates), and the model gets the result."""
    trainer.params, trainer.state = start
    for batch in range(bad):
        one_batch(batch, rates_used[batch])
    trainer.load_into_model()


def _evaluate(trainer: _Trainer, X: np.ndarray, Y: np.ndarray, Y_metric: np.ndarray) -> dict[str, float]:
    """Loss and metrics on held-out data, computed on the devices in chunks of at most 4,096 rows."""
    model = trainer.model
    rows = min(len(X), 4096)
    total, outputs = 0.0, []
    for start in range(0, len(X), rows):
        x, y = X[start : start + rows], Y[start : start + rows]
        if len(x) not in trainer.programs:
            trainer.programs[len(x)] = compile_graph(model, x, y, "fit(backend='jax') validation")
        loss, out = trainer.evaluate_function(trainer.programs[len(x)])(
            trainer.params, trainer.put(x, 0), trainer.put(y)
        )
        total += float(_to_host(loss)) * len(x)
        if trainer.metrics:
            outputs.append(np.asarray(_to_host(out), dtype=np.float64))
    return model._logs(total / len(X), Y_metric, outputs)


# -- the public functions --------------------------------------------------------------------------------


def _prepared(model, x, y, where: str):
    X = model._inputs(x, where)
    if y is None:
        if model._output_shapes is None or not model.built:
            model.build(X.shape[1:])
        return X, None
    model._check_compiled(where)
    model._ensure_ready(X, where)
    Y, _ = model._targets(y, len(X), where)
    return X, Y


def parameters(model, dtype: str = "float32") -> dict:
    """The model's parameters as a JAX pytree: ``{dotted name: jax array}`` (the keys of ``model.state_dict()``).

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(2, input_dim=3)], seed=0)
    >>> {name: value.shape for name, value in parameters(model).items()}
    {'dense.weight': (2, 3), 'dense.bias': (2,)}
    """
    name = _dtype_name(dtype, model, jax.devices())
    if name == "float64" and not jax.config.jax_enable_x64:
        raise ValueError(_X64_NEEDED.format(who="parameters"))
    wanted = jnp.float32 if name == "bfloat16" else jnp.dtype(name)
    return {key: jnp.asarray(p.data, dtype=wanted) for key, p in model.named_parameters()}


_X64_NEEDED = (
    "{who}(dtype='float64') needs JAX's 64-bit mode: call jax.config.update('jax_enable_x64', True) first (for the "
    "whole program), or work inside `with jax.enable_x64(True):`; without it JAX rounds everything to float32"
)


def load_parameters(model, params: dict, *, strict: bool = True) -> None:
    """Copy a parameter pytree (from :func:`parameters`, :func:`loss_function` or your own training) into the numpy
    model, in place, keeping each parameter's dtype: afterwards ``model.predict`` and every drawing use them.

    It is ``model.load_state_dict`` on the arrays brought to the host: with ``strict=True`` the keys must be the
    model's parameter names (KeyError naming the missing and unexpected ones), and every shape must match
    (ValueError); ``strict=False`` loads the keys the model has and leaves the rest.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, input_dim=1)], seed=0)
    >>> load_parameters(model, {"dense.weight": jnp.ones((1, 1)), "dense.bias": jnp.zeros(1)})
    >>> model.predict(np.array([[2.0]]), verbose=0).tolist()
    [[2.0]]
    """
    state = {key: np.asarray(_to_host(value)) for key, value in params.items()}
    try:
        model.load_state_dict(state, strict=strict)
    except (KeyError, ValueError) as error:
        raise type(error)(f"load_parameters: {error.args[0]}") from None


def loss_function(model, x, y, *, dtype: str = "float32") -> tuple[Callable, dict]:
    """The compiled keras model's loss as a pure JAX function, and its parameters: ``(loss, params)``.

    ``loss(params, x, y)`` returns the scalar loss ``fit`` minimises (the last softmax/sigmoid fused
    into the cross-entropy as in fit) for a batch shaped like the `x` and `y` given here — one row
    count: call again for another. `y` as fit's loss reads it: class indices, one-hot rows or values
    (hinge labels ±1). `params` is ``{parameter name: jax array}`` in `dtype` ('float32'; 'float64'
    needs JAX's 64-bit mode, see :func:`parameters`). The function can be jitted, differentiated
    (``jax.grad(loss)(params, x, y)``) and traced: in ``jax.make_jaxpr(loss)(params, x, y)`` every
    equation's ``source_info.name_stack`` is its layer's gradviz scope ('sequential/dense/relu').

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(1, input_dim=2)], seed=0).compile("sgd", "mse")
    >>> X, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, 0.0])
    >>> loss, params = loss_function(model, X, y)
    >>> sorted(jax.grad(loss)(params, X, y))
    ['dense.bias', 'dense.weight']
    """
    X, Y = _prepared(model, x, y, "loss_function")
    params = parameters(model, dtype)
    compute = jnp.dtype(_dtype_name(dtype, model, jax.devices()))
    program = compile_graph(model, X, Y, "loss_function")

    def loss(params: dict, x, y):
        return program.run(params, jnp.asarray(x), jnp.asarray(y), compute)[0]

    return loss, params


def predict(model, x, *, params: dict | None = None, dtype: str | None = None, batch_size: int | None = None):
    """The model's outputs computed by JAX, as a numpy array — what ``model.predict(x)`` gives (probabilities after
    a final softmax/sigmoid), from the model's own weights or from `params` (a pytree as :func:`parameters`).

    `dtype` None: the model's dtype on the CPU (float64 switches JAX's 64-bit mode on for the call only), float32
    on a GPU/TPU. `batch_size` None: everything at once.

    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="softmax", input_dim=2)], seed=0)
    >>> X = np.random.default_rng(0).normal(size=(4, 2))
    >>> bool(np.allclose(predict(model, X), model.predict(X, verbose=0)))
    True
    """
    from ..keras import _batch_size  # the check keras' predict makes, with its message

    batch_size = _batch_size(batch_size, "predict", "all the samples at once")
    X, _ = _prepared(model, x, None, "predict")
    chosen = jax.devices()
    name = _dtype_name(dtype, model, chosen)
    step = len(X) if batch_size is None else batch_size
    parts = []
    with _precision(name):
        weights = parameters(model, name) if params is None else params
        compute = jnp.dtype(name)
        compiled = _COMPILED.setdefault(model, {})
        by_rows: dict[int, Callable] = {}  # every chunk but the last has the same length: recorded once
        for start in range(0, len(X), step):
            chunk = X[start : start + step]
            if len(chunk) not in by_rows:
                program = compile_graph(model, chunk, None, "predict")
                key = ("predict", name, program.signature())
                if key not in compiled:
                    compiled[key] = jax.jit(lambda p, x, program=program: program.run(p, x, None, compute)[0])
                by_rows[len(chunk)] = compiled[key]
            parts.append(np.asarray(_to_host(by_rows[len(chunk)](weights, _host_array(chunk, compute)))))
    outputs = np.concatenate(parts)
    # bfloat16 is a compute type: the outputs come back as float32 whatever the last op was
    return outputs.astype(np.float32) if name == "bfloat16" else outputs
