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
batch whose size is not a multiple of the number of devices runs replicated instead). On one device
the data goes there once per fit; on several, the host sends each run of batches with the batch axis
split, so a device holds only its share.

Several processes (``jax.distributed.initialize()`` before ``fit``: coordinator address, number of
processes and process id, or nothing on a managed cluster such as SLURM or Cloud TPU): either every
process passes the same whole data set (each sends only its devices' parts of each batch), or, with
``fit(..., per_process_data=True)``, each passes only its own samples. Then the processes' shards are
numbered one after another, the seeded shuffle orders all of them, and each global batch is sent as
one equal block per process (the rows of the batch it holds, padded, the padding weighted 0), so the
run equals one process training on all the data, with any number of processes and uneven shards.
The loss is computed on the devices; the metrics from the outputs, gathered (a few numbers per
sample, not the inputs). A process that dies makes the others stop with a
:class:`gradviz.ProcessLostError` naming it and the last checkpoint to resume from.

Per step, inside the compiled loop: a Keras optimizer's learning-rate schedule
(``keras.optimizers.schedules``) is evaluated at the step, its gradient clipping and accumulation
run in the step; ``compile(steps_per_execution=N)`` runs N batches per call and calls the batch
hooks once per call (checkpoints every N steps, logging, nan found per call), as Keras does.

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
import itertools
import warnings
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import main_process as _main_process
from . import require_jax

jax = require_jax()

import jax.numpy as jnp  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

from .. import training as _training  # noqa: E402
from ..callbacks import Callback, CallbackList, GradientRecorder, History  # noqa: E402
from ..context import enable_grad  # noqa: E402
from ..errors import GradvizWarning  # noqa: E402
from ..graph import nodes_in_order  # noqa: E402
from ..i18n import message  # noqa: E402
from ..interpret import Step, evaluate, forward  # noqa: E402
from ..nn import init as _nn_init  # noqa: E402
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

STREAM_RUN = 16
"""How many batches from an iterator (fit's x given as batches) the jax backend sends as one scan, at most."""

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
    kind: str  # "param", "x", "y", "w" (each sample's weight in the loss), "dropout" (a mask drawn per step) or "const"
    name: str = ""  # the parameter's dotted name
    shape: tuple = ()
    dtype: Any = None
    value: Any = None  # a constant's array; a dropout mask's probability of keeping an element


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

    @property
    def weighted(self) -> bool:
        """Whether the loss reads each sample's weight (recorded with sample weights: ``run(..., w=)``)."""
        return any(leaf.kind == "w" for leaf in self.leaves)

    @property
    def random(self) -> bool:
        """Whether the program draws dropout masks (then :meth:`run` needs a `key`)."""
        return any(leaf.kind == "dropout" for leaf in self.leaves)

    def run(self, params: dict, x, y=None, compute=None, w=None, key=None) -> tuple:
        """Evaluate the graph with jax.numpy: every node by its op's registered forward, in its layer's named scope.
        `w` holds each sample's weight in the loss, for a program recorded with weights; `key` (a jax.random
        key) draws the dropout masks, each element kept with its layer's probability and scaled by its inverse,
        as the numpy layer does (with JAX's random numbers, so the masks differ from numpy's)."""
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
            elif leaf.kind in ("y", "w"):
                value = jnp.reshape(y if leaf.kind == "y" else w, leaf.shape)
                wanted = _device_dtype(leaf.dtype, jnp.float32 if low else compute)
                if value.dtype != wanted:
                    value = value.astype(wanted)
            elif leaf.kind == "dropout":
                if key is None:
                    raise ValueError("this program has dropout layers: run it with a jax.random key (key=...)")
                dtype = _device_dtype(leaf.dtype, compute)
                kept = jax.random.bernoulli(jax.random.fold_in(key, leaf.slot), leaf.value, leaf.shape)
                value = kept.astype(dtype) / jnp.asarray(leaf.value, dtype=dtype)
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


def _record(model, x: np.ndarray, y: np.ndarray | None, w: np.ndarray | None = None) -> tuple[Tensor, list]:
    """Run the model (and its loss, weighted by `w` when given, when `y` is given) on numpy Tensors, recording
    every op."""
    xt = Tensor(x, requires_grad=True, dtype=x.dtype)  # so that ops on the input are recorded too
    with enable_grad(), np.errstate(all="ignore"):
        if y is None:
            return xt, [model(xt)]
        out = model(xt, logits=model._fused())
        return xt, [model._loss_of(out, y, w), out]


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


def _follows(mine: np.ndarray, other: np.ndarray, a, b) -> bool:
    """Whether leaves `a` and `b` of the two recordings hold `mine` and `other` (the targets or the weights)."""
    as_first, as_second = _as_leaf(mine, a), _as_leaf(other, b)
    return as_first is not None and as_second is not None and _same(as_first, a.data) and _same(as_second, b.data)


def _dropout_keep(model, leaf, consumer) -> float | None:
    """The probability of keeping an element, when `leaf` is the mask of one of the model's dropout layers (a
    constant labelled ``m/(1−p)`` multiplied in that layer's scope); None otherwise."""
    from ..nn.dropout import MASK_LABEL, Dropout

    if leaf.label != MASK_LABEL or consumer.op != "mul" or not consumer.scope:
        return None
    for _, module in model.named_modules():
        if isinstance(module, Dropout) and consumer.scope.split("/")[-1] == module.name:
            return 1.0 - module.p
    return None


def _not_followed(what: str, node, where: str) -> ValueError:
    scope = f" in scope {node.scope!r}" if node.scope else ""
    return ValueError(
        f"{where}: the jax backend recorded the loss twice with different data and {what}{scope} changed although it "
        "is not an input: it was computed from the data outside gradviz's ops (numpy on .data, or Python decisions on "
        "values), so a compiled step could not follow it from batch to batch. Write that part with Tensor ops "
        "(gradviz.functional), or train with backend='numpy'."
    )


def compile_graph(
    model, x: np.ndarray, y: np.ndarray | None, where: str = "jax backend", w: np.ndarray | None = None
) -> Program:
    """Record `model`'s loss on (x, y) — or its predictions when y is None — as a :class:`Program`.

    `x` and `y` are arrays as fit prepares them (``model._inputs``, ``model._targets``); `w` (optional) each
    sample's weight in the loss (fit's sample_weight / class_weight), an input of the program. The model runs
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
    w_other = None if w is None else (np.asarray(w) * 0.5 + 0.25)
    x_first, roots_first = _record(model, x, y, w)
    x_second, roots_second = _record(model, x_other, y_other, w_other)
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
            kind = next(
                (
                    name
                    for name, mine, other in (("y", y, y_other), ("w", w, w_other))
                    if mine is not None and _follows(mine, other, a, b)
                ),
                None,
            )
            if kind is None:
                consumer = next((n for n in first[i + 1 :] if any(p is a for p in n.inputs)), a)
                keep = _dropout_keep(model, a, consumer)
                if keep is not None:
                    leaves.append(_Leaf(i, "dropout", shape=a.data.shape, dtype=a.data.dtype, value=keep))
                    continue
                raise _not_followed(f"an input of op {consumer.op!r}", consumer, where)
            leaves.append(_Leaf(i, kind, shape=a.data.shape, dtype=a.data.dtype))
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
    if array.sharding.is_fully_replicated:  # every process holds all of it: no need to ask the others
        return np.asarray(array.addressable_data(0))
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
    ``rule`` (written once over numpy or jax.numpy), run on jax.numpy, with what a Keras optimizer adds around
    it — a learning-rate schedule evaluated at the step, gradient clipping, gradient accumulation — from the
    same pure functions the numpy backend runs; state imported from and written back to it."""

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
        self.schedule = getattr(optimizer, "schedule", None)
        if self.schedule is not None:
            from ..keras.schedules import LearningRateSchedule

            if type(self.schedule).value is LearningRateSchedule.value:
                raise TypeError(
                    f"the jax backend evaluates a learning-rate schedule inside the compiled step, from its "
                    f"value(xp, step); {type(self.schedule).__name__} defines only __call__, so write its formula as "
                    "value(self, xp, step) with xp's functions (numpy or jax.numpy), or train with backend='numpy'"
                )
        self.clipping = tuple(getattr(optimizer, name, None) for name in ("clipnorm", "clipvalue", "global_clipnorm"))
        self.accumulation = int(getattr(optimizer, "gradient_accumulation_steps", None) or 0)

    def key(self) -> tuple:
        """Everything the compiled update depends on, hashable."""
        schedule = self.schedule
        return (
            self.rule,
            self.decoupled,
            tuple(self.names),
            _frozen(self.hyper),
            _frozen(self.group),
            None if schedule is None else (type(schedule).__qualname__, _frozen(schedule.get_config())),
            self.clipping,
            self.accumulation,
        )

    def learning_rates(self):
        return jnp.asarray([group["lr"] for group in self.optimizer.param_groups], dtype=self.dtype)

    def init(self) -> dict:
        slots = {}
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
            slots[name] = entry
        # the calls made so far (what a schedule reads; Keras' `iterations` counts updates when accumulating)
        state = {"iterations": jnp.asarray(int(getattr(self.optimizer, "_iterations", 0)), dtype=jnp.int32)}
        state["slots"] = slots
        if self.accumulation:
            saved = getattr(self.optimizer, "accumulators", None) or {}
            state["accumulators"] = {
                name: jnp.asarray(np.asarray(saved[self.params[name]]), dtype=self.dtype)
                if self.params[name] in saved
                else jnp.zeros(self.params[name].data.shape, dtype=self.dtype)
                for name in self.names
            }
        return state

    def update(self, params: dict, grads: dict, state: dict, rates) -> tuple[dict, dict]:
        optimizer, names = self.optimizer, self.names
        iterations = state["iterations"]
        given = [grads[name].astype(params[name].dtype) for name in names]
        new_state = {"iterations": iterations + 1}
        apply = None
        if self.accumulation:  # as Keras: accumulate, then clip the mean that is applied
            accumulators = [state["accumulators"][name] for name in names]
            apply, given, accumulators = optimizer.accumulate(jnp, given, accumulators, iterations)
            new_state["accumulators"] = dict(zip(names, accumulators, strict=True))
        if any(limit is not None for limit in self.clipping):
            given = optimizer.clip_gradients(jnp, given)
        if self.schedule is not None:
            scheduled = jnp.asarray(self.schedule.value(jnp, iterations), dtype=self.dtype)
        new_params, slots = dict(params), dict(state["slots"])
        for name, g in zip(names, given, strict=True):
            p, entry = params[name], state["slots"][name]
            t = entry["step"] + 1
            arrays = {key: value for key, value in entry.items() if key != "step"}
            rate = scheduled if self.schedule is not None else rates[self.group[name]]
            moved, arrays = optimizer.rule(jnp, p, g, arrays, self.hyper[name], rate, t)
            updated = {"step": t, **arrays}
            if apply is not None:  # accumulating: the parameter and its state change only on an update step
                moved = jnp.where(apply, moved, p)
                updated = jax.tree_util.tree_map(lambda new, old: jnp.where(apply, new, old), updated, entry)
            new_params[name], slots[name] = moved, updated
        new_state["slots"] = slots
        return new_params, new_state

    def write_back(self, state: dict) -> None:
        """Copy the state into the numpy optimizer, so a later fit (either backend) continues from it."""
        if hasattr(self.optimizer, "_iterations"):
            self.optimizer._iterations = int(_to_host(state["iterations"]))
        if self.accumulation and hasattr(self.optimizer, "accumulators"):
            for name in self.names:
                p = self.params[name]
                self.optimizer.accumulators[p] = np.array(_to_host(state["accumulators"][name]), dtype=p.data.dtype)
        for name in self.names:
            p, entry = self.params[name], state["slots"][name]
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
        if array is None or not self.sharded(array.shape[leading]):
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


def _mesh_devices(devices: list) -> list:
    """The devices in mesh order: each process's devices together, in process order (so a process's share of a
    batch is one contiguous block of it)."""
    return sorted(devices, key=lambda d: (d.process_index, d.id))


class _Trainer:
    """Everything one fit keeps on the devices: parameters, optimizer state, data, and its jitted functions."""

    def __init__(self, model, dtype_name: str, devices: list, recorders: bool, metrics: bool) -> None:
        self.model = model
        self.dtype_name = dtype_name
        self.compute = jnp.dtype(dtype_name)
        self.param_dtype = jnp.dtype(jnp.float32) if dtype_name == "bfloat16" else self.compute
        self.devices = _mesh_devices(devices)
        self.mesh = Mesh(np.array(self.devices), ("batch",))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.named = dict(model.named_parameters())
        self.recorders = recorders
        self.metrics = metrics
        self.programs: dict[tuple[int, bool], Program] = {}
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
        self.random = False  # whether the loss draws dropout masks
        self._rates: tuple | None = None
        # each program's key, built once per fit: a batch-by-batch fit asks for it every batch (the programs
        # live in self.programs as long as the trainer, so their ids stay theirs)
        self._keys: dict[tuple[int, bool], tuple] = {}

    # the graph for a batch size, and the parameters it trains
    def program(self, rows: int, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None = None) -> Program:
        """The loss graph for batches of `rows` rows (weighted when `W`, each sample's weight, is given); X, Y
        and W are sample data it is recorded on (their first `rows` rows, repeated when there are fewer)."""
        key = (rows, W is not None)
        if key not in self.programs:
            take = np.arange(rows) % max(len(X), 1)
            weights = None if W is None else W[take]
            self.programs[key] = compile_graph(self.model, X[take], Y[take], "fit(backend='jax')", w=weights)
            if self.optimizer is None:
                used = {leaf.name for leaf in self.programs[key].leaves if leaf.kind == "param"}
                trainable = [name for name, p in self.named.items() if name in used and p.requires_grad]
                self.optimizer = _Optimizer(self.model.optimizer, self.named, trainable, self.param_dtype)
                self.random = self.programs[key].random
                self.state = jax.device_put(self.initial_state(), self.replicated)
        return self.programs[key]

    def initial_state(self) -> dict:
        """The optimizer's state as the numpy optimizer holds it, and the dropout masks' key."""
        state = self.optimizer.init()
        state["key"] = jax.random.PRNGKey(self._dropout_seed() if self.random else 0)
        return state

    def _dropout_seed(self) -> int:
        """The seed of the dropout masks' key: drawn once per model from gradviz's generator (nn.manual_seed,
        fit's seed), so runs repeat; kept on the model and in its checkpoints, so each step's masks (from the key
        and the step's number) are the same in a resumed run."""
        seed = getattr(self.model, "_jax_dropout_seed", None)
        if seed is None:
            seed = int(_nn_init.default_rng().integers(2**31 - 1))
            object.__setattr__(self.model, "_jax_dropout_seed", seed)
        return seed

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
            optimizer.key() if optimizer is not None else None,
        )

    def _step_body(self, program: Program) -> Callable:
        setup, optimizer = self.setup, self.optimizer

        def loss_of(params, x, y, w, key):
            loss, out = program.run(params, x, y, setup.compute, w, key)
            return loss.astype(setup.param_dtype), out

        def step(params, state, rates, x, y, w):
            # each step's dropout masks from the fit's key and the step's number: a resumed run draws the same
            key = jax.random.fold_in(state["key"], state["iterations"]) if program.random else None
            (loss, out), grads = jax.value_and_grad(loss_of, has_aux=True)(params, x, y, w, key)
            params, updated = optimizer.update(params, grads, state, rates)
            state = {**updated, "key": state["key"]}
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
        """One jitted call for a run of batches of the same size: a lax.scan of the step, over batches the host
        sent (xs, ys, ws: (batches, rows, ...), the batch axis split over the devices), or gathered from the
        data resident on the device (X, Y, W and the rows taken, in batch order)."""
        key = ("epoch", resident, *self._key(program))
        if key in self.functions:
            return self.functions[key]
        step, rows, setup = self._step_body(program), program.rows, self.setup

        def scan(params, state, rates, xs, ys, ws):
            xs, ys, ws = setup.constrain(xs, 1), setup.constrain(ys, 1), setup.constrain(ws, 1)

            def body(carry, batch):
                params, state, totals = carry
                params, state, loss, outputs, stats = step(params, state, rates, *batch)
                return (params, state, totals + stats), (loss, outputs)

            totals = jnp.zeros((len(setup.names), 2), setup.param_dtype)
            (params, state, totals), (losses, outputs) = jax.lax.scan(body, (params, state, totals), (xs, ys, ws))
            return params, state, losses, outputs, totals

        if resident:

            def function(params, state, rates, X, Y, W, rows_taken):
                batches = rows_taken.shape[0] // rows

                def gathered(A):
                    return None if A is None else A[rows_taken].reshape(batches, rows, *A.shape[1:])

                return scan(params, state, rates, gathered(X), gathered(Y), gathered(W))

        else:
            function = scan
        self.functions[key] = jax.jit(function, donate_argnums=(0, 1))
        return self.functions[key]

    def evaluate_function(self, program: Program) -> Callable:
        key = ("evaluate", *self._key(program))
        if key not in self.functions:
            setup = self.setup

            def function(params, x, y, w):
                loss, out = program.run(params, setup.constrain(x, 0), y, setup.compute, w)
                return loss.astype(setup.param_dtype), setup.outputs(out)

            self.functions[key] = jax.jit(function)
        return self.functions[key]

    def tally_function(self, tally) -> Callable:
        """The metrics' sums over a run of batches (outputs and targets (batches, rows, …), the real rows' mask
        or None), added up on the devices: what comes back is a few numbers, not every output."""
        key = ("tally", tally.kind, tally.rule, tally.width, self.dtype_name, tuple(d.id for d in self.devices))
        if key not in self.functions:

            def function(outputs, targets, mask):
                if mask is None:
                    mask = jnp.ones(outputs.shape[:2], jnp.int32)
                return tally.count(jnp, outputs, targets, mask)

            self.functions[key] = jax.jit(function)
        return self.functions[key]

    def gathered(self, A, rows, batches: int):
        """The rows `rows` of the device array `A`, as `batches` batches (for the tally of resident data)."""
        key = ("gathered", batches)
        if key not in self.functions:
            self.functions[key] = jax.jit(
                lambda A, rows: A[rows].reshape(batches, rows.shape[0] // batches, *A.shape[1:])
            )
        return self.functions[key](A, rows)

    def rates(self):
        """The optimizer's learning rates as they are now, on the devices (sent again only when one changed)."""
        now = tuple(group["lr"] for group in self.optimizer.optimizer.param_groups)
        if self._rates is None or self._rates[0] != now:
            self._rates = (now, jax.device_put(self.optimizer.learning_rates(), self.replicated))
        return self._rates[1]

    def put(self, array: np.ndarray | None, sharded_axis: int | None = None):
        """`array` (the same on every process) on the devices: replicated, or split along `sharded_axis` when
        its length divides over them (each process then sends only its own devices' parts)."""
        if array is None:
            return None
        array = _host_array(array, self.param_dtype)
        if sharded_axis is None or not self.setup.sharded(array.shape[sharded_axis]):
            sharding = self.replicated
        else:
            sharding = NamedSharding(self.mesh, PartitionSpec(*([None] * sharded_axis), "batch"))
        if jax.process_count() == 1:
            return jax.device_put(array, sharding)
        return jax.make_array_from_callback(array.shape, sharding, lambda index: array[index])

    def put_local(self, array: np.ndarray | None, axis: int):
        """This process's block of a global array split along `axis` over every process's devices (each process
        sends its own, equally long blocks: ``jax.make_array_from_process_local_data``)."""
        if array is None:
            return None
        array = _host_array(array, self.param_dtype)
        sharding = NamedSharding(self.mesh, PartitionSpec(*([None] * axis), "batch"))
        shape = list(array.shape)
        shape[axis] *= jax.process_count()
        return jax.make_array_from_process_local_data(sharding, array, tuple(shape))

    def load_into_model(self) -> None:
        for name, value in self.params.items():
            target = self.named[name].data
            target[...] = np.asarray(_to_host(value), dtype=target.dtype)


def _wants_batches(callback: Callback) -> bool:
    """Whether a callback does something per batch (then the jax backend runs and reports run by run of
    steps_per_execution batches): the training loop's rule, but a GradientRecorder is fed from the device."""
    return not isinstance(callback, (History, GradientRecorder)) and _training.wants_batches(callback)


def _feed_recorder(recorder: GradientRecorder, trainer: _Trainer, totals: np.ndarray, batches: int) -> None:
    """Add one epoch of per-batch gradient statistics, computed on the device, as GradientRecorder.record would."""
    for index, (name, p) in enumerate(trainer.named.items()):
        if name not in trainer.optimizer.params:
            continue  # numpy leaves its gradient None, and the recorder skips it
        if not recorder.include_biases and p.data.ndim < 2:
            continue
        key = name if recorder.include_biases else (name.rsplit(".", 1)[0] if "." in name else name)
        recorder.add_batches(key, float(totals[index, 0]), float(totals[index, 1]), batches)


# -- each process's own data ------------------------------------------------------------------------------


class _Shards:
    """How the samples are spread over the processes when each holds only its own (fit's ``per_process_data``):
    process p holds global rows ``offsets[p] : offsets[p] + sizes[p]`` (the processes' shards one after another,
    in process order), so a global row order — the same seeded permutation on every process — names every
    sample. Each global batch is sent as one equal block per process: the rows of the batch it holds, padded
    to `block` rows with weight 0, the real rows weighted so the loss is the batch's mean — so the run equals
    one process training on all the data, whatever the number of processes or the sizes of their shards."""

    def __init__(self, sizes: np.ndarray, local_devices: int) -> None:
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.total = int(self.sizes.sum())
        self.count = len(self.sizes)
        self.me = jax.process_index()
        self.unit = local_devices  # a block splits over this process's devices
        self.block = 0  # rows per process and batch: grows to the largest share seen (a new size compiles again)

    @classmethod
    def of(cls, n: int, where: str) -> _Shards:
        from jax.experimental import multihost_utils

        sizes = np.asarray(multihost_utils.process_allgather(np.asarray([n], dtype=np.int64))).reshape(-1)
        devices = np.asarray(multihost_utils.process_allgather(np.asarray([jax.local_device_count()]))).reshape(-1)
        if (sizes == 0).any():
            empty = ", ".join(str(p) for p in np.flatnonzero(sizes == 0))
            raise ValueError(
                f"{where}: with per_process_data=True every process trains on its own samples, but process(es) "
                f"{empty} passed none; give each process a non-empty slice of the data"
            )
        if len(set(devices.tolist())) != 1:
            raise ValueError(
                f"{where}: per_process_data=True needs the same number of devices on every process, got "
                f"{devices.tolist()}; start each process with as many devices"
            )
        return cls(sizes, int(devices[0]))

    def gather(self, array: np.ndarray) -> np.ndarray:
        """Every process's `array` (one row per local sample), joined in global row order, on every process."""
        from jax.experimental import multihost_utils

        padded = np.zeros((int(self.sizes.max()), *array.shape[1:]), dtype=array.dtype)
        padded[: len(array)] = array
        everything = np.asarray(multihost_utils.process_allgather(padded))
        return np.concatenate([everything[p, : self.sizes[p]] for p in range(self.count)])

    def layout(self, ids: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For batches of global rows `ids` (batch b's are ``ids[b, :sizes[b]]``): this process's local rows
        (batches, block), their loss weights (0 for padding), and where each batch's rows sit in the global
        block layout (batches, batch size), to put the outputs back in order."""
        steps, width = ids.shape
        owner = np.searchsorted(self.offsets, ids, side="right") - 1
        valid = np.arange(width)[None, :] < np.asarray(sizes)[:, None]
        counts = np.stack([((owner == p) & valid).sum(axis=1) for p in range(self.count)])  # (P, batches)
        need = int(counts.max()) if counts.size else 1
        need = -(-max(need, 1) // self.unit) * self.unit
        self.block = max(self.block, need)
        block = self.block
        local = np.zeros((steps, block), dtype=np.int64)
        weights = np.zeros((steps, block))
        positions = np.zeros((steps, width), dtype=np.int64)
        for b in range(steps):
            size = sizes[b]
            who = owner[b, :size]
            rank = np.zeros(size, dtype=np.int64)
            for p in range(self.count):
                mine = who == p
                rank[mine] = np.arange(int(mine.sum()))
            positions[b, :size] = who * block + rank
            mine = who == self.me
            count = int(mine.sum())
            local[b, :count] = ids[b, :size][mine] - self.offsets[self.me]
            weights[b, :count] = self.count * block / size
        return local, weights, positions


# -- the runner ----------------------------------------------------------------------------------------------


class Runner(_training.Runner):
    """``Sequential.fit(backend="jax")``'s batches: compiled steps on the devices, for gradviz's one training loop
    (:func:`gradviz.training.train`). Runs of batches go as one scanned program each: the whole epoch, or
    ``steps_per_execution`` batches at a time when a callback has per-batch hooks (Keras calls them once per
    run); the weights come back into the model at the end of every epoch (and on :meth:`sync`).

    Data: on one device it goes to the device once per fit and each epoch gathers its batches there; on several
    devices (or when it does not fit) the host sends each run of batches with the batch axis split over the
    devices. With `per_process` each process passes only its own samples (see :class:`_Shards`)."""

    def __init__(
        self,
        model,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        options: tuple[list, str],
        verbose: int = 0,
        weights: np.ndarray | None = None,
        per_process: bool = False,
        stream: _training.Stream | None = None,
    ) -> None:
        self.model, self.X, self.Y, self.W, self.verbose = model, X, Y, weights, verbose
        self.stream, self.per_process = stream, per_process
        self.devices, self.dtype_name = options  # _options(model, dtype, devices): the devices and the precision
        self.trainer: _Trainer | None = None
        self.shards = _Shards.of(len(X), "fit(backend='jax')") if per_process and stream is None else None
        self.where = (0, 0)  # (epoch, batch) being run: what a lost process's message says
        self.checkpoints: list = []  # the callbacks that write checkpoints: the message names the last one

    def samples(self, n: int) -> int:
        return self.shards.total if self.shards is not None else n

    def gather(self, array: np.ndarray) -> np.ndarray:
        """Every process's rows of `array` (targets, say) in global order: what the metrics compare with."""
        return array if self.shards is None else self.shards.gather(array)

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

    def reload(self) -> None:
        """The weights, the optimizer's state and the dropout key, from the model (a checkpoint was restored into
        it after :meth:`begin` put them on the devices)."""
        trainer = self.trainer
        if trainer is None:
            return
        trainer.params = jax.device_put(
            {name: jnp.asarray(p.data, dtype=trainer.param_dtype) for name, p in trainer.named.items()},
            trainer.replicated,
        )
        if trainer.optimizer is not None:
            trainer.state = jax.device_put(trainer.initial_state(), trainer.replicated)

    def sync(self) -> None:
        """The weights and the optimizer's state, from the devices into the numpy model and optimizer, now."""
        trainer = self.trainer
        if trainer is None or trainer.optimizer is None:
            return
        trainer.load_into_model()
        trainer.optimizer.write_back(trainer.state)

    def begin(self, callbacks: CallbackList, batch_size: int) -> CallbackList:
        model, X, Y, W = self.model, self.X, self.Y, self.W
        self.batch_size = batch_size
        if self.stream is None:
            self.full, self.last = divmod(self.samples(len(X)), batch_size)
        self.recorders = [c for c in callbacks.callbacks if isinstance(c, GradientRecorder)]
        per_batch = [c for c in callbacks.callbacks if _wants_batches(c)]
        self.per_batch = bool(per_batch)
        if jax.process_count() > 1:  # every process must run the same programs: per batch if any one's callbacks ask
            from jax.experimental import multihost_utils

            asked = multihost_utils.process_allgather(np.asarray([int(self.per_batch)]))
            self.per_batch = bool(np.asarray(asked).any())
        self.checkpoints = [c for c in callbacks.callbacks if hasattr(c, "last_checkpoint")]
        self.every = int(model._compile_options.get("steps_per_execution", 1))  # batches per call, hooks per call
        self.metrics = bool(model._metric_names)
        trainer = self.trainer = _Trainer(model, self.dtype_name, self.devices, bool(self.recorders), self.metrics)
        if self.verbose:
            platforms = _describe(trainer.devices).replace(" ", " × ")
            print(message("backends.jax_start", devices=platforms, dtype=self.dtype_name))
        for p in model.parameters():
            p.grad = None  # gradients live on the device: a stale numpy one must not look current
        self.tally = self._tally_plan()
        if self.stream is not None:
            self.block = 0  # rows per process of the batches sent: grows to the largest batch (a new size compiles)
            return CallbackList(per_batch)
        # converted once, on the host, to what the devices hold (float32 for a float64 model trained in float32)
        self.X_host, self.Y_host = _host_array(X, trainer.param_dtype), _host_array(Y, trainer.param_dtype)
        self.W_host = None if W is None else _host_array(W, trainer.param_dtype)
        memory = _device_memory(trainer.devices[0])
        data_bytes = self.X_host.nbytes + self.Y_host.nbytes
        self.chunk = None  # at most this many batches sent at once (None: a whole epoch)
        if memory is not None:
            # a device holds its share of each batch sent: a batch's bytes over the devices (each process's
            # block of a global batch at most the batch's rows)
            batch_bytes = max(1, data_bytes // max(len(X), 1) * batch_size)
            share = batch_bytes * (jax.process_count() if self.shards is not None else 1) / trainer.mesh.size
            self.chunk = max(1, int(DEVICE_DATA_FRACTION * memory / 4 // max(share, 1)))
        if self.shards is not None:
            self.resident = False
            if self.W_host is None:
                self.W_host = np.ones(len(X), dtype=self.X_host.dtype if self.X_host.dtype.kind == "f" else np.float32)
            return CallbackList(per_batch)
        self.main = trainer.program(batch_size if self.full else self.last, X, Y, W)
        self.tail = trainer.program(self.last, X, Y, W) if self.full and self.last else None
        # one device: the data goes there once; several: each run of batches is sent split over them
        self.resident = trainer.mesh.size == 1 and (memory is None or 2 * data_bytes <= DEVICE_DATA_FRACTION * memory)
        if self.resident:
            self.X_dev, self.Y_dev = trainer.put(self.X_host), trainer.put(self.Y_host)
            self.W_dev = trainer.put(self.W_host)
        return CallbackList(per_batch)

    # -- one epoch ------------------------------------------------------------------------------------------
    def _runs(self, first: int, steps: int) -> list[tuple[int, int]]:
        """The epoch's batches from `first` as runs (start, stop) of equally sized batches, each one scan."""
        longest = self.every if self.per_batch else (self.chunk or steps)
        full = steps if self.shards is not None else min(steps, self.full)
        runs = [(start, min(start + longest, full)) for start in range(first, full, longest)]
        if full < steps and first <= full:
            runs.append((full, full + 1))  # the last, smaller batch
        return runs

    def _program(self, start: int) -> Program:
        if self.shards is None:
            return self.main if start < self.full or self.tail is None else self.tail
        rows = self.shards.block * self.shards.count
        return self.trainer.program(rows, self.X, self.Y, self.W_host)

    def _run(self, epoch: _training.Epoch, order: np.ndarray, start: int, stop: int, rates) -> tuple:
        """Batches start..stop-1 as one scan: (losses, outputs, totals, targets), still on the devices; targets
        are (the batches' targets, which rows are real or None) for the metrics' tally, when there is one."""
        trainer, B = self.trainer, self.batch_size
        targets = None
        if self.shards is not None:
            local, weights, _ = self.layout
            take = local[start:stop]
            xs, ys = self.X_host[take], self.Y_host[take]
            ws = (weights[start:stop] * self.W_host[take]).astype(self.W_host.dtype)
            program = self._program(start)
            ys_device = trainer.put_local(ys, 1)
            result = trainer.epoch_function(program, False)(
                trainer.params,
                trainer.state,
                rates,
                trainer.put_local(xs, 1),
                ys_device,
                trainer.put_local(ws, 1),
            )
            if self.tally is not None:
                targets = (ys_device, trainer.put_local((weights[start:stop] > 0).astype(np.int32), 1))
        else:
            program = self._program(start)
            rows = order[start * B : min(stop * B, epoch.n)]
            if self.resident:
                rows_device = trainer.put(rows.astype(np.int32))
                result = trainer.epoch_function(program, True)(
                    trainer.params, trainer.state, rates, self.X_dev, self.Y_dev, self.W_dev, rows_device
                )
                if self.tally is not None:
                    targets = (trainer.gathered(self.Y_dev, rows_device, stop - start), None)
            else:
                count, size = stop - start, program.rows

                def batches(A):
                    return None if A is None else A[rows].reshape(count, size, *A.shape[1:])

                ys_device = trainer.put(batches(self.Y_host), 1)
                result = trainer.epoch_function(program, False)(
                    trainer.params,
                    trainer.state,
                    rates,
                    trainer.put(batches(self.X_host), 1),
                    ys_device,
                    trainer.put(batches(self.W_host), 1),
                )
                targets = (ys_device, None) if self.tally is not None else None
        trainer.params, trainer.state = result[:2]
        return (*result[2:], targets)

    def run(self, epoch: _training.Epoch) -> None:
        self.where = (epoch.index, epoch.first)
        with self._watching():
            if isinstance(epoch, _training.StreamEpoch):
                self._stream_epoch(epoch)
            else:
                self._epoch(epoch)

    @contextlib.contextmanager
    def _watching(self):
        """In a run of several processes, an error because one of them stopped becomes a ProcessLostError that
        says which one and how to go on, printed at once (JAX's coordinator ends this process soon after)."""
        try:
            yield
        except Exception as error:
            if jax.process_count() == 1:
                raise
            lost = _lost_processes()
            if lost == ():
                raise
            raise _process_lost(error, lost, self.where, self.checkpoints) from error

    def _epoch(self, epoch: _training.Epoch) -> None:
        trainer, metrics, model = self.trainer, self.metrics, self.model
        order = epoch.order if epoch.order is not None else np.arange(epoch.n)
        first = epoch.first
        if self.shards is not None:
            B = self.batch_size
            width = min(B, epoch.n)
            ids = np.zeros((epoch.steps, width), dtype=np.int64)
            sizes = []
            for b in range(epoch.steps):
                rows = order[b * B : min((b + 1) * B, epoch.n)]
                ids[b, : len(rows)] = rows
                sizes.append(len(rows))
            self.layout = self.shards.layout(ids, sizes)
            self.sizes = sizes
            self._program(first)  # recorded for this block size (and the optimizer set up) before the first run
        careful = epoch.policy != "continue"  # a nan/inf loss stops before its batch: keep the run's start
        # (start, outputs, totals, batches counted) of each run: fetched at the end of the epoch, or after each run
        # when callbacks hear about batches (a checkpoint written then holds the epoch's outputs so far)
        pieces = []
        self.totals = np.zeros((len(trainer.named), 2))
        for start, stop in self._runs(first, epoch.steps):
            self.where = (epoch.index, start)
            if self.per_batch:
                epoch.begin(start)
            rates = trainer.rates()
            before = jax.tree_util.tree_map(jnp.copy, (trainer.params, trainer.state)) if careful else None
            losses, outputs, totals, targets = self._run(epoch, order, start, stop, rates)
            values, counted = _counted(epoch, start, losses)
            if counted < len(values):  # a nan/inf loss under the stop/raise policy: the weights of before it
                trainer.params, trainer.state = before
                if counted:  # the run's batches before the bad one, again (the same compiled steps and data)
                    _, outputs, totals, targets = self._run(epoch, order, start, start + counted, rates)
                    pieces.append((start, outputs if metrics else None, totals, counted, targets))
                trainer.load_into_model()  # the loop explains the loss with the model as it is now
                break
            pieces.append((start, outputs if metrics else None, totals, counted, targets))
            if self.per_batch:  # Keras calls the batch hooks once per run of steps_per_execution batches
                self._collect(epoch, pieces.pop())
                epoch.end(stop - 1, float(values[-1]), count=stop - start)
                if model.stop_training:  # a callback asked for it during the epoch: stop after this run, as Keras
                    break
            else:
                epoch.progress.batch_done(epoch, stop - start)
        for piece in pieces:
            self._collect(epoch, piece)

    # -- batches from an iterator -------------------------------------------------------------------------
    def _stream_epoch(self, epoch: _training.StreamEpoch) -> None:
        """An epoch of batches as they come: up to STREAM_RUN of them (steps_per_execution when callbacks hear
        about batches) sent as one scan, each padded to one block of rows with weight 0 (so batches of any size
        share one compiled program, and the loss is each batch's mean). With per_process_data every process draws
        its own batches; global batch b is every process's batch b, one block each, and the epoch ends where the
        first process's batches end."""
        trainer, model = self.trainer, self.model
        processes = jax.process_count() if self.per_process else 1
        unit = max(1, trainer.mesh.size // processes)  # a block splits over this process's devices
        longest = self.every if self.per_batch else STREAM_RUN
        draw = epoch.draw()
        careful = epoch.policy != "continue"
        self.totals = np.zeros((len(trainer.named), 2))
        ran, uneven = 0, None
        while True:
            local = list(itertools.islice(draw, longest))
            sizes = np.zeros((1, longest), dtype=np.int64)
            sizes[0, : len(local)] = [len(x) for _, x, _, _ in local]
            if processes > 1:
                from jax.experimental import multihost_utils

                sizes = np.asarray(multihost_utils.process_allgather(sizes)).reshape(processes, longest)
            drawn = (sizes > 0).all(axis=0)
            count = longest if drawn.all() else int(np.argmin(drawn))
            if count < longest and (sizes[:, count] > 0).any():
                uneven = [int(p) for p in np.flatnonzero(sizes[:, count] > 0)]
            if count == 0:
                break
            self.block = max(self.block, -(-int(sizes[:, :count].max()) // unit) * unit)
            start = local[0][0]
            self.where = (epoch.index, start)
            xs, ys, ws = self._stream_blocks(epoch, local[:count], sizes[:, :count])
            program = trainer.program(processes * self.block, local[0][1], local[0][2], np.ones(len(local[0][1])))
            if self.per_batch:
                epoch.begin(start)
            rates = trainer.rates()
            before = jax.tree_util.tree_map(jnp.copy, (trainer.params, trainer.state)) if careful else None
            losses, outputs, totals, targets = self._stream_run(program, rates, xs, ys, ws, sizes[:, :count])
            values, counted = _counted(epoch, start, losses)
            ran += counted
            if counted < len(values):  # a nan/inf loss under the stop/raise policy: the weights of before it
                trainer.params, trainer.state = before
                if counted:
                    _, outputs, totals, targets = self._stream_run(
                        program, rates, xs[:counted], ys[:counted], ws[:counted], sizes[:, :counted]
                    )
                    self._stream_collect(epoch, outputs, totals, sizes, counted, targets)
                trainer.load_into_model()
                return
            self._stream_collect(epoch, outputs, totals, sizes, counted, targets)
            if self.per_batch:
                epoch.end(start + count - 1, float(values[-1]), count=count)
                if model.stop_training:
                    return
            else:
                epoch.progress.batch_done(epoch, count)
            if count < longest:
                break
        # every process decides alike where the epoch ended (a process's own iterator may have more batches)
        if epoch.limit is None:
            epoch.steps = epoch.first + ran
        epoch.exhausted = epoch.first + ran < (epoch.limit if epoch.limit is not None else 1)
        if uneven and _main_process():
            warnings.warn(
                f"fit: in epoch {epoch.index + 1} process(es) {', '.join(map(str, uneven))} had more batches than "
                f"the others; the epoch ended after {epoch.first + ran} batches, where the first process's batches "
                "ended (the others' extra batches were not trained on). Give every process as many batches, or "
                "steps_per_epoch",
                GradvizWarning,
                stacklevel=2,
            )

    def _stream_blocks(self, epoch: _training.StreamEpoch, local: list, sizes: np.ndarray) -> tuple:
        """This process's blocks of a run of drawn batches: (xs, ys, ws) of shape (batches, block, …), the rows
        after a batch's own repeating its first one, weighted 0; the real rows weighted so the loss is the mean
        over the global batch (every process's rows of it). Each batch's global size and targets go to `epoch`."""
        block, processes = self.block, sizes.shape[0]
        count = len(local)
        first_x, first_y = local[0][1], local[0][2]
        xs = np.empty((count, block, *first_x.shape[1:]), dtype=first_x.dtype)
        ys = np.empty((count, block, *first_y.shape[1:]), dtype=first_y.dtype)
        ws = np.zeros((count, block))
        for j, (batch, x, y, w) in enumerate(local):
            n = len(x)
            take = np.minimum(np.arange(block), n - 1) if n < block else slice(None)
            xs[j], ys[j] = x[take], y[take]
            ws[j, :n] = processes * block / sizes[:, j].sum() * (1.0 if w is None else w)
            epoch.sizes[batch] = int(sizes[:, j].sum())
        if self.metrics and processes > 1 and not self._tallying(epoch):  # every process's targets, as the outputs
            from jax.experimental import multihost_utils

            mine = [epoch.drawn[batch] for batch, *_ in local]
            padded = np.zeros((count, block, *mine[0].shape[1:]), dtype=mine[0].dtype)
            for j, target in enumerate(mine):
                padded[j, : len(target)] = target
            everyone = np.asarray(multihost_utils.process_allgather(padded))  # (processes, count, block, …)
            for j, (batch, *_) in enumerate(local):
                epoch.drawn[batch] = np.concatenate([everyone[p, j, : sizes[p, j]] for p in range(processes)])
        return xs, ys, ws

    def _stream_run(self, program: Program, rates, xs, ys, ws, sizes: np.ndarray) -> tuple:
        trainer = self.trainer
        local = self.per_process and jax.process_count() > 1
        put = trainer.put_local if local else trainer.put
        ys_device = put(ys, 1)
        result = trainer.epoch_function(program, False)(
            trainer.params, trainer.state, rates, put(xs, 1), ys_device, put(ws, 1)
        )
        trainer.params, trainer.state = result[:2]
        targets = None
        if self.tally is not None:  # this process's real rows of each batch
            mine = sizes[jax.process_index() if local else 0]
            mask = (np.arange(xs.shape[1])[None, :] < mine[:, None]).astype(np.int32)
            targets = (ys_device, put(mask, 1))
        return (*result[2:], targets)

    def _stream_collect(self, epoch: _training.StreamEpoch, outputs, totals, sizes, counted: int, targets) -> None:
        self.totals += np.asarray(_to_host(totals), dtype=np.float64)
        if not self.metrics or counted == 0:
            return
        if targets is not None and self._tallying(epoch):
            self._add_tally(epoch, outputs, *targets)
            return
        host = np.asarray(_to_host(outputs), dtype=np.float64)[:counted]
        block = self.block
        for j in range(counted):
            epoch.outputs.append(
                np.concatenate([host[j, p * block : p * block + sizes[p, j]] for p in range(sizes.shape[0])])
            )

    def validate_batches(self, stream: _training.Stream) -> dict[str, float]:
        """Validation batches; with per_process_data each process's own, joined as the training batches are:
        global batch b is every process's batch b (one padded block each, weight 0 for the padding), the loss the
        mean over all their rows, the metrics summed on the devices or read from every process's outputs; the
        pass ends where the first process's batches end."""
        if not (self.per_process and jax.process_count() > 1):
            return super().validate_batches(stream)
        from jax.experimental import multihost_utils

        trainer, model = self.trainer, self.model
        tally = self.tally if self.tally is not None and not self.tally.whole_targets else None
        total, seen, counts, outputs, targets = 0.0, 0, None, [], []
        with self._watching():
            for batch, item in enumerate(itertools.chain(stream.epoch(), [None])):
                mine = None if item is None else stream.prepare(item, batch)
                sizes = np.asarray(
                    multihost_utils.process_allgather(np.asarray([0 if mine is None else len(mine[0])]))
                ).reshape(-1)
                if (sizes == 0).any():
                    break
                loss, got = _evaluate_joined(trainer, *mine, sizes, tally)
                total += loss * int(sizes.sum())
                seen += int(sizes.sum())
                if tally is not None and got is not None:
                    counts = got if counts is None else counts + got
                elif got is not None:
                    outputs.append(got[0])
                    targets.append(got[1])
        stream.end_epoch()
        loss = total / max(seen, 1)
        if counts is not None:
            return {"loss": loss, **tally.logs(model, counts)}
        return model._logs(loss, np.concatenate(targets) if targets else None, outputs)

    def evaluate_batch(self, X: np.ndarray, Y: np.ndarray, W: np.ndarray | None) -> tuple[float, np.ndarray | None]:
        """One validation batch on the devices (fit's validation_data given as batches)."""
        trainer = self.trainer
        key = (len(X), W is not None)
        if key not in trainer.programs:
            trainer.programs[key] = compile_graph(self.model, X, Y, "fit(backend='jax') validation", w=W)
        with self._watching():
            loss, out = trainer.evaluate_function(trainer.programs[key])(
                trainer.params, trainer.put(X, 0), trainer.put(Y), trainer.put(W)
            )
            host = np.asarray(_to_host(out), dtype=np.float64) if trainer.metrics else None
            return float(_to_host(loss)), host

    def _tally_plan(self):
        """The metrics as sums added up on the devices (gradviz.keras._tally), when they are such sums; binary
        metrics need 0/1 targets, which the host checks (soft targets, and batches not seen yet, keep the outputs)."""
        from ..keras._tally import Tally

        tally = Tally.of(self.model) if self.metrics else None
        if tally is not None and tally.whole_targets:
            if self.stream is not None or not np.all(self.Y == np.round(self.Y)):
                return None
        return tally

    def _tallying(self, epoch: _training.Epoch) -> bool:
        """Whether this epoch's metrics are summed on the devices: there is a tally, and the epoch did not start
        from a checkpoint's outputs (a numpy run's), which it then goes on gathering."""
        if getattr(epoch, "_tallying", None) is None:
            epoch._tallying = self.tally is not None and not epoch.outputs
        return epoch._tallying

    def _add_tally(self, epoch: _training.Epoch, outputs, targets, mask) -> None:
        counts = np.asarray(_to_host(self.trainer.tally_function(self.tally)(outputs, targets, mask)))
        counts = counts.astype(np.int64 if self.tally.kind == "labels" else np.float64)
        epoch.tally = counts if epoch.tally is None else epoch.tally + counts

    def _collect(self, epoch: _training.Epoch, piece: tuple) -> None:
        """A run's outputs (for the metrics, in the epoch's order) and gradient statistics, to the host; or, with
        a tally, only the metrics' sums over the run, added up on the devices."""
        start, outputs, totals, counted, targets = piece
        self.totals += np.asarray(_to_host(totals), dtype=np.float64)
        if not self.metrics or outputs is None or counted == 0:
            return
        if targets is not None and self._tallying(epoch):
            self._add_tally(epoch, outputs, *targets)
            return
        host = np.asarray(_to_host(outputs), dtype=np.float64)[:counted]
        if self.shards is None:
            epoch.outputs.append(host.reshape(-1, *host.shape[2:]))
            return
        positions = self.layout[2]
        for i, b in enumerate(range(start, start + counted)):
            epoch.outputs.append(host[i][positions[b, : self.sizes[b]]])

    def end_epoch(self, epoch: _training.Epoch) -> None:
        self.trainer.load_into_model()
        for recorder in self.recorders:
            _feed_recorder(recorder, self.trainer, self.totals, epoch.steps)

    def validate(self, X: np.ndarray, Y: np.ndarray, Y_metric: np.ndarray) -> dict[str, float]:
        tally = self.tally
        if tally is not None and tally.whole_targets and not np.all(Y == np.round(Y)):
            tally = None
        with self._watching():
            if self.shards is not None:
                return _evaluate_per_process(self.trainer, X, Y, Y_metric, tally)
            return _evaluate(self.trainer, X, Y, Y_metric, tally)


def _counted(epoch: _training.Epoch, start: int, losses) -> tuple[np.ndarray, int]:
    """A run's losses, to the host and into `epoch` batch by batch from `start`: (the losses, how many were counted
    — all of them, unless a nan/inf one stops the epoch there under the stop/raise policy)."""
    values = np.asarray(_to_host(losses), dtype=np.float64).reshape(-1)
    for counted, value in enumerate(values):
        if not epoch.loss(start + counted, float(value)):
            return values, counted
    return values, len(values)


def _lost_processes() -> tuple[int, ...] | None:
    """The processes JAX's coordinator no longer hears from: () when all answer, None when it cannot say."""
    try:
        from jax._src import distributed

        client = distributed.global_state.client
        count = jax.process_count()
        live = client.get_live_nodes(list(range(count)))
    except Exception:  # no client (a managed cluster's own runtime), or the coordinator itself is gone
        return None
    return tuple(p for p in range(count) if p not in live)


def _process_lost(error: Exception, lost, where: tuple[int, int], checkpoints) -> Exception:
    import sys

    from ..errors import ProcessLostError

    count = jax.process_count()
    if lost:
        names = ", ".join(str(p) for p in lost)
        which = message("backends.process_lost_which", lost=names)
    else:
        which = message("backends.process_lost_unknown")
    path = next((c.last_checkpoint for c in checkpoints if getattr(c, "last_checkpoint", None)), None)
    resume = (
        message("backends.resume_from", count=count, path=str(path))
        if path
        else message("backends.resume_none", count=count)
    )
    detail = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
    text = message(
        "backends.process_lost",
        me=jax.process_index(),
        count=count,
        epoch=where[0] + 1,
        batch=where[1],
        lost=which,
        resume=resume,
        detail=detail,
    )
    print(text, file=sys.stderr, flush=True)  # JAX's coordinator may end this process before the error is shown
    return ProcessLostError(text, lost=lost or (), epoch=where[0], batch=where[1])


def _evaluate(trainer: _Trainer, X: np.ndarray, Y: np.ndarray, Y_metric: np.ndarray, tally=None) -> dict[str, float]:
    """Loss and metrics on held-out data, computed on the devices in chunks of at most 4,096 rows (the metrics
    summed there too when there is a `tally`)."""
    model = trainer.model
    rows = min(len(X), 4096)
    total, outputs, counts = 0.0, [], None
    for start in range(0, len(X), rows):
        x, y = X[start : start + rows], Y[start : start + rows]
        if (len(x), False) not in trainer.programs:
            trainer.programs[(len(x), False)] = compile_graph(model, x, y, "fit(backend='jax') validation")
        y_device = trainer.put(y)
        loss, out = trainer.evaluate_function(trainer.programs[(len(x), False)])(
            trainer.params, trainer.put(x, 0), y_device, None
        )
        total += float(_to_host(loss)) * len(x)
        if trainer.metrics and tally is not None:
            part = np.asarray(_to_host(trainer.tally_function(tally)(out[None], y_device[None], None)))
            counts = part if counts is None else counts + part
        elif trainer.metrics:
            outputs.append(np.asarray(_to_host(out), dtype=np.float64))
    if counts is not None:
        return {"loss": total / len(X), **tally.logs(model, counts)}
    return model._logs(total / len(X), Y_metric, outputs)


def _evaluate_per_process(trainer: _Trainer, X: np.ndarray, Y: np.ndarray, Y_metric: np.ndarray, tally=None) -> dict:
    """Held-out loss and metrics when each process holds its own validation samples (see :func:`_evaluate_joined`):
    the mean loss over all of them, the metrics summed on the devices or of every process's outputs and targets."""
    model = trainer.model
    shards = _Shards.of(len(X), "fit(validation_data)")
    loss, got = _evaluate_joined(trainer, X, Y, Y_metric, None, shards.sizes, tally)
    if tally is not None and got is not None:
        return {"loss": loss, **tally.logs(model, got)}
    return model._logs(loss, None if got is None else got[1], [] if got is None else [got[0]])


def _evaluate_joined(trainer: _Trainer, X, Y, Y_metric, W, sizes: np.ndarray, tally=None) -> tuple[float, Any]:
    """Held-out rows when each process holds its own (`sizes`: every process's count; X, Y, Y_metric and weights W
    or None: this process's): every process sends its rows as one equal block (padded, weight 0), and the loss is
    the mean over all of them. Returns (loss, the metrics' sums) with a `tally`, else (loss, (outputs, targets))
    in global order (process 0's rows first), or (loss, None) without metrics."""
    from jax.experimental import multihost_utils

    model, processes = trainer.model, len(sizes)
    unit = max(1, trainer.mesh.size // processes)  # a block splits over this process's devices
    block = -(-int(sizes.max()) // unit) * unit
    rows = processes * block
    take = np.arange(block) % len(X)
    weights = np.zeros(block)
    weights[: len(X)] = rows / sizes.sum() * (1.0 if W is None else W)
    if (rows, True) not in trainer.programs:
        sample = np.arange(rows) % len(X)
        trainer.programs[(rows, True)] = compile_graph(
            model, X[sample], Y[sample], "fit(backend='jax') validation", w=np.ones(rows)
        )
    y_device = trainer.put_local(Y[take], 0)
    loss, out = trainer.evaluate_function(trainer.programs[(rows, True)])(
        trainer.params, trainer.put_local(X[take], 0), y_device, trainer.put_local(weights, 0)
    )
    loss = float(_to_host(loss))
    if not trainer.metrics:
        return loss, None
    if tally is not None:  # summed on the devices: no process sends its outputs
        mask = trainer.put_local((np.arange(block) < len(X)).astype(np.int32), 0)
        return loss, np.asarray(_to_host(trainer.tally_function(tally)(out[None], y_device[None], mask[None])))
    host = np.asarray(_to_host(out), dtype=np.float64)
    outputs = np.concatenate([host[p * block : p * block + sizes[p]] for p in range(processes)])
    padded = np.zeros((block, *Y_metric.shape[1:]), dtype=Y_metric.dtype)
    padded[: len(Y_metric)] = Y_metric
    everyone = np.asarray(multihost_utils.process_allgather(padded))
    return loss, (outputs, np.concatenate([everyone[p, : sizes[p]] for p in range(processes)]))


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
