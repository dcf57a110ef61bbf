"""Module: the base of every layer and network — parameters, children, state, name scopes.

A parameter is a plain :class:`gradviz.Tensor` (or, in the scalar nets, a :class:`gradviz.Value`)
with ``requires_grad=True``; assigning one to a module attribute registers it, and assigning a
module registers a child. Calling a module runs its ``forward`` inside ``gradviz.scope(name)``
so every node it creates carries the module's path ('mlp/0'), which renderers collapse into one box.

>>> import numpy as np
>>> from gradviz import Tensor, nn
>>> class Affine(nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.scale = nn.Parameter(np.array([2.0]))
...         self.shift = nn.Parameter(np.array([0.5]))
...     def forward(self, x):
...         return x * self.scale + self.shift
>>> model = Affine()
>>> [name for name, _ in model.named_parameters()]
['scale', 'shift']
>>> y = model(Tensor([1.0, 2.0]))
>>> y.data, y.scope
(array([2.5, 4.5]), 'affine')
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..context import scope as _scope
from ..engine import Node, mark_modified
from ..tensor import Tensor

__all__ = ["Module", "Parameter", "count_parameters", "layer_label"]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def layer_label(symbol: str, layer: int | None = None, *index: int) -> str:
    """A label as a student reads it: `symbol` with the layer number (from 1) as a superscript and the
    element's indices (from 0, as in ``weight[j, i]``) in brackets.

    The tensor layers of an nn Sequential/MLP are labelled ``W¹``, ``b¹``, ``W²``, …; the weights of a scalar
    MLP ``W¹[j,i]`` (neuron j of layer 1, input i: ``net[0][j].w{i}``) and its biases ``b¹[j]``.

    >>> layer_label("W", 1), layer_label("b", 12), layer_label("W", 2, 1, 0), layer_label("b", None, 3)
    ('W¹', 'b¹²', 'W²[1,0]', 'b[3]')
    """
    text = symbol if layer is None else symbol + str(int(layer)).translate(_SUPERSCRIPT)
    if index:
        text += "[" + ",".join(str(int(i)) for i in index) + "]"
    return text


def Parameter(data, label: str | None = None, dtype=None) -> Tensor:
    """A trainable tensor: a plain ``Tensor(data, requires_grad=True)`` (float64 unless `dtype` says).

    >>> Parameter([1.0, 2.0], label="b")
    Tensor([1., 2.], requires_grad=True, label='b')
    """
    if isinstance(data, Node):
        data = data.data
    return Tensor(data, requires_grad=True, dtype=dtype, label=label)


def _size(p: Node) -> int:
    return 1 if p.is_scalar else int(p.data.size)


def count_parameters(params) -> int:
    """The number of scalars in an iterable of parameters (a module's .parameters()).

    >>> from gradviz import nn
    >>> count_parameters(nn.Linear(3, 2).parameters())
    8
    """
    return sum(_size(p) for p in params)


class Module:
    """Base class of layers and networks (as torch.nn.Module): subclass it and write ``forward``.

    Attributes that are Modules become children, attributes that are Tensors/Values requiring
    grad become parameters; both are listed in the order they were assigned.

    >>> from gradviz import nn
    >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    >>> [name for name, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> print(net)
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)  (9 parameters)
      (1): ReLU()
      (2): Linear(in_features=3, out_features=1, bias=True)  (4 parameters)
    )  (13 parameters)
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameter_names", [])
        object.__setattr__(self, "_module_names", [])
        object.__setattr__(self, "_buffer_names", [])
        object.__setattr__(self, "_name", None)
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", {})

    # -- registration ---------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_module_names" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() ran: call super().__init__() first in "
                f"{type(self).__name__}.__init__"
            )
        if name in self.__dict__.get("_buffer_names", ()):
            if value is not None and not (isinstance(value, Tensor) and not value.requires_grad):
                raise TypeError(
                    f"{type(self).__name__}.{name} is a registered buffer; it can be replaced by a Tensor without "
                    f"gradient (or None), not a {type(value).__name__}"
                    + (" that requires grad" if isinstance(value, Tensor) else "")
                )
        elif isinstance(value, Module):
            if name not in self._module_names:  # a replaced child keeps its place
                self._forget(name)
                self._module_names.append(name)
            value._name = name
            _label_parameters(value, name)
        elif isinstance(value, Node) and value.requires_grad:
            if name not in self._parameter_names:
                self._forget(name)
                self._parameter_names.append(name)
            if value.label is None:
                value.label = name
        elif name in self._parameter_names or name in self._module_names:
            if value is not None:
                raise TypeError(
                    f"{type(self).__name__}.{name} is a registered "
                    f"{'parameter' if name in self._parameter_names else 'module'}; it can be replaced by "
                    f"a Tensor/Value with requires_grad=True or a Module (or None), not a {type(value).__name__}"
                )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        if name in self._parameter_names:
            self._parameter_names.remove(name)
        if name in self._module_names:
            self._module_names.remove(name)
        buffers = self.__dict__.get("_buffer_names")
        if buffers is not None and name in buffers:
            buffers.remove(name)

    def register_parameter(self, name: str, param: Node | None) -> None:
        """Register `param` under `name` (what ``self.name = param`` does)."""
        if param is not None and not (isinstance(param, Node) and param.requires_grad):
            raise TypeError(f"register_parameter({name!r}): expected a Tensor or Value with requires_grad=True")
        if param is None:
            self._forget(name)
            object.__setattr__(self, name, None)
            return
        setattr(self, name, param)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Register `tensor` as a buffer called `name`: state that is not trained but saved with the model (as
        torch's), such as BatchNorm's running mean. It is a Tensor without gradient, listed by
        :meth:`named_buffers` and written by :meth:`state_dict` (unless ``persistent=False``).

        >>> import numpy as np
        >>> from gradviz import nn
        >>> class Counter(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.register_buffer("seen", np.zeros(1))
        >>> list(Counter().state_dict())
        ['seen']
        """
        if "_buffer_names" not in self.__dict__:
            raise AttributeError(
                f"cannot register buffer {name!r} before Module.__init__() ran: call super().__init__() first in "
                f"{type(self).__name__}.__init__"
            )
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"register_buffer: a buffer name must be a non-empty string without '.', got {name!r}")
        if name in self._parameter_names or name in self._module_names:
            raise KeyError(
                f"register_buffer({name!r}): {type(self).__name__} already has a parameter or module {name!r}"
            )
        if tensor is not None:
            if isinstance(tensor, Node):
                if tensor.requires_grad:
                    raise TypeError(
                        f"register_buffer({name!r}): a buffer is not trained; this tensor requires grad, so register "
                        "it as a parameter (self.name = tensor) or pass tensor.detach()"
                    )
                tensor = tensor if isinstance(tensor, Tensor) else Tensor(tensor.data)
            else:
                array = np.asarray(tensor)
                tensor = Tensor(array, dtype=array.dtype)  # a counter stays an integer
            tensor.label = tensor.label or name
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        persistent_names = self.__dict__.setdefault("_non_persistent", set())
        if persistent:
            persistent_names.discard(name)
        else:
            persistent_names.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under `name` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module({name!r}): expected a Module, got {type(module).__name__}")
        setattr(self, str(name), module)

    # -- the forward pass -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The module's scope name: its attribute name in the parent ('0', 'encoder'), else the class name in lowercase."""
        return self._name or type(self).__name__.lower()

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str) or not value or "/" in value:
            raise ValueError(f"a module name must be a non-empty string without '/', got {value!r}")
        object.__setattr__(self, "_name", value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        with _scope(self.name) as path:
            d = self.__dict__
            for pname in self._parameter_names:
                p = d[pname]
                if p is not None:
                    p.scope = path  # parameters are drawn inside their layer's box
            output = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, output)
                if result is not None:
                    output = result
        return output

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> HookHandle:
        """Call ``hook(module, inputs, output)`` after every forward pass (to record activations,
        check for nan, ...); a hook that returns something replaces the output. Returns a handle
        whose ``remove()`` unregisters the hook.

        >>> from gradviz import Tensor, nn
        >>> layer, seen = nn.ReLU(), []
        >>> handle = layer.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
        >>> _ = layer(Tensor([[1.0, -1.0]]))
        >>> handle.remove(); _ = layer(Tensor([1.0]))
        >>> seen
        [(1, 2)]
        """
        if not callable(hook):
            raise TypeError(
                f"register_forward_hook needs a function (module, inputs, output), got {type(hook).__name__}"
            )
        return HookHandle(self._forward_hooks, hook)

    # -- walking the tree -----------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct child, in registration order."""
        d = self.__dict__
        for name in self._module_names:
            if d[name] is not None:
                yield name, d[name]

    def children(self) -> Iterator[Module]:
        """Each direct child, in registration order."""
        d = self.__dict__
        return iter([d[name] for name in self._module_names if d[name] is not None])

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('' ) and every descendant, depth first."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) for every parameter, own first then each child's; shared ones once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            d = module.__dict__
            for pname in module._parameter_names:
                p = d[pname]
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{pname}" if module_name else pname), p

    def parameters(self) -> list[Node]:
        """Every parameter (Tensors, or Values in scalar nets), in a fixed order: what an optimizer takes."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) for every buffer (state saved but not trained, such as BatchNorm's running mean).

        >>> from gradviz import nn
        >>> [name for name, _ in nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).named_buffers()]
        ['1.running_mean', '1.running_var', '1.num_batches_tracked']
        """
        for module_name, module in self.named_modules(prefix):
            yield from _own_buffers(module, module_name)

    def buffers(self) -> list[Tensor]:
        """Every buffer, in the order of :meth:`named_buffers`."""
        return [b for _, b in self.named_buffers()]

    def num_parameters(self) -> int:
        """How many scalars the parameters hold in all."""
        return count_parameters(self.parameters())

    # -- training helpers -----------------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``None``), or set it to zeros with set_to_none=False."""
        for p in self.parameters():
            p.zero_grad(set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its descendants to training mode (``.training = True``)."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (``.training = False``)."""
        return self.train(False)

    def to(self, dtype) -> Module:
        """Convert every tensor parameter to `dtype` ('float32' or 'float64'), in place; returns self.

        >>> from gradviz import nn
        >>> nn.Linear(2, 2).to("float32").weight.dtype
        dtype('float32')
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"parameters must stay floating point; got dtype {dtype}")
        for p in self.parameters():
            if not p.is_scalar and p.data.dtype != dtype:
                p.data = p.data.astype(dtype)
                if p.grad is not None:
                    p.grad = p.grad.astype(dtype)
        for b in self.buffers():
            if b.data.dtype.kind == "f" and b.data.dtype != dtype:  # counters stay integers, as in torch
                b.data = b.data.astype(dtype)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    # -- state ----------------------------------------------------------------------------------

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Every parameter and buffer (BatchNorm's running statistics) as a numpy array (a copy), by dotted name,
        in torch's order (module by module, its parameters then its buffers): what save() writes.

        >>> from gradviz import nn
        >>> {k: v.shape for k, v in nn.Linear(3, 2).state_dict().items()}
        {'weight': (2, 3), 'bias': (2,)}
        """
        return OrderedDict(
            (name, np.array(p.data, dtype=np.float64) if p.is_scalar else p.data.copy())
            for name, p in self._named_state()
        )

    def _named_state(self) -> Iterator[tuple[str, Node]]:
        """What state_dict holds, in torch's order: module by module, its parameters then its persistent buffers."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            d = module.__dict__
            for pname in module._parameter_names:
                p = d[pname]
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{module_name}.{pname}" if module_name else pname), p
            skipped = d.get("_non_persistent", ())
            for name, b in _own_buffers(module, module_name):
                if name.rsplit(".", 1)[-1] not in skipped:
                    yield name, b

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> Module:
        """Copy arrays into the parameters (in place, keeping each parameter's dtype).

        With ``strict=True`` (the default) the keys must match exactly; a missing or unexpected
        key or a shape mismatch raises a KeyError/ValueError that names them all.
        """
        own = OrderedDict(self._named_state())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        mismatched = []
        for key, p in own.items():
            if key in state:
                shape = np.shape(state[key])
                expected = () if p.is_scalar else p.data.shape
                if shape != expected and not (p.is_scalar and int(np.prod(shape)) == 1):
                    mismatched.append(f"{key}: checkpoint {shape}, model {expected}")
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if problems:
            raise KeyError(
                f"load_state_dict into {type(self).__name__}: "
                + "; ".join(problems)
                + f". The model's keys are: {', '.join(own) or '(none)'}. Pass strict=False to load the matching keys only."
            )
        if mismatched:
            raise ValueError(f"load_state_dict into {type(self).__name__}: shape mismatch for " + "; ".join(mismatched))
        for key, p in own.items():
            if key not in state:
                continue
            array = np.asarray(state[key])
            if p.is_scalar:
                p.data = float(array.reshape(()))
            else:
                if not p.data.flags.writeable:
                    p.data = p.data.copy()
                p.data[...] = array
            mark_modified(p)
        return self

    def save(self, path: str | os.PathLike) -> str:
        """Write the parameters to an ``.npz`` file (numpy arrays only, no pickle); returns the path written.

        >>> import os, tempfile
        >>> from gradviz import nn
        >>> model = nn.Linear(2, 1)
        >>> path = model.save(os.path.join(tempfile.mkdtemp(), "model"))
        >>> path.endswith("model.npz"), bool((nn.Linear(2, 1).load(path).weight.data == model.weight.data).all())
        (True, True)
        """
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        state = self.state_dict()
        with open(path, "wb") as file:
            np.savez(file, **state)
        return path

    def load(self, path: str | os.PathLike, strict: bool = True) -> Module:
        """Load parameters saved by :meth:`save` (never unpickling: a complex, object, truncated or non-npz file is
        refused with a message naming it); returns self."""
        path = os.fspath(path)
        if not os.path.exists(path) and os.path.exists(path + ".npz"):
            path += ".npz"
        from ..data import read_npz

        state = read_npz(path, where=f"{type(self).__name__}.load")
        return self.load_state_dict(state, strict=strict)

    # -- display --------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The part between the parentheses of this module's one-line repr (e.g. in_features=2, ...)."""
        return ""

    def __repr__(self) -> str:
        return _repr(self, top=True)


class HookHandle:
    """Returned by register_forward_hook; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict, hook: Callable) -> None:
        self._hooks = hooks
        self.id = HookHandle._next_id
        HookHandle._next_id += 1
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def _repr(module: Module, top: bool) -> str:
    children = list(module.named_children())
    head = f"{type(module).__name__}({module.extra_repr()}"
    if children:
        lines = [head]
        for name, child in children:
            own = type(child).__repr__ is not Module.__repr__
            text = (repr(child) if own else _repr(child, top=False)).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        body = "\n".join(lines) + "\n)"
    else:
        body = head + ")"
    count = module.num_parameters()
    if count or (top and children):
        body += f"  ({count} parameter{'' if count == 1 else 's'})"
    return body


def _own_buffers(module: Module, module_name: str) -> Iterator[tuple[str, Tensor]]:
    d = module.__dict__
    for name in d.get("_buffer_names", ()):
        b = d.get(name)
        if b is not None:
            yield (f"{module_name}.{name}" if module_name else name), b


def _kind_scope(module: Module, kind: str):
    """The name scope the nodes of a layer such as Dropout are drawn in, so that the picture names the layer: the
    module's own scope when it is called `kind` (alone, or named so by a Keras model: 'dropout', 'dropout_1'),
    else a scope `kind` inside it (an nn.Sequential names its children '0', '1', ...: 'sequential/2/dropout')."""
    import contextlib

    name = module.name
    if name == kind or name.startswith(kind + "_"):
        return contextlib.nullcontext()
    return _scope(kind)


def _label_parameters(module: Module, prefix: str) -> None:
    """Label a new child's parameters with their dotted names ('0.weight'), unless the user labelled them."""
    for name, p in module.named_parameters():
        if p.label is None or p.label == name:
            p.label = f"{prefix}.{name}"


def _give_label(owner: Module, pname: str, label: str) -> None:
    """Label `owner`'s parameter `pname` for people (``W¹``), unless the user labelled it: a label gradviz gave
    (none, the attribute's name, a dotted name, or one this function gave before) may be replaced."""
    p = owner.__dict__.get(pname)
    if p is None:
        return
    given = owner.__dict__.get("_given_labels")
    if given is None:
        given = {}
        object.__setattr__(owner, "_given_labels", given)
    current = p.label
    if current is None or current == pname or current.endswith("." + pname) or current == given.get(pname):
        p.label = given[pname] = label
