"""Module, Parameter and Sequential: the containers networks are built from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, overload

import numpy as np

from rosenblatt.backend import Array, ArrayLike, DTypeLike, xp
from rosenblatt.tensor import Tensor, no_grad

__all__ = ["Module", "Parameter", "Sequential"]


class Parameter(Tensor):
    """A Tensor that is a learnable weight: ``requires_grad`` is True by default.

    Assigning a Parameter to a Module attribute registers it, so it appears in
    ``parameters()`` and ``state_dict()``.
    """

    __slots__ = ()

    def __init__(
        self,
        data: ArrayLike | Tensor,
        requires_grad: bool = True,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# Set by Module.summary() while it runs a forward pass: each call appends a row.
_summary_rows: list[tuple[str, Module, tuple[int, ...]]] | None = None


class Module:
    """Base class of every layer and network.

    A subclass creates its layers and parameters in ``__init__`` (as attributes) and
    computes its output in ``forward``; calling the module calls ``forward``.
    Attributes that are Parameters or Modules are registered automatically, in order.

    Examples
    --------
    >>> from rosenblatt import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(2, 4, rng=0)
    ...         self.out = nn.Linear(4, 1, rng=1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).sigmoid())
    >>> [name for name, _ in TwoLayer().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool
    _parameters: dict[str, Parameter]
    _buffers: dict[str, Array]
    _modules: dict[str, Module]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # --- registration ---

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning "
                f"attribute {name!r}"
            )
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array: Array) -> None:
        """Register a non-learnable array (e.g. running statistics) for ``state_dict``."""
        self._buffers[name] = array
        object.__setattr__(self, name, array)

    # --- calling ---

    def forward(self, *args: Any) -> Tensor:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any) -> Tensor:
        out = self.forward(*args)
        if _summary_rows is not None and not self._modules:
            _summary_rows.append((type(self).__name__, self, out.shape))
        return out

    # --- traversal ---

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their attribute names, in registration order."""
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        """Direct submodules, in registration order."""
        yield from self._modules.values()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all submodules, depth first, with dotted names."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and all submodules, depth first (``named_modules``' order)."""
        # A walk without the names, in named_modules' order.
        stack = [self]
        while stack:
            module = stack.pop()
            yield module
            stack.extend(reversed(module._modules.values()))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """All parameters with dotted names (``"0.weight"``), each once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> Iterator[Parameter]:
        """All parameters, each once, in registration order (for an optimizer)."""
        for _, param in self.named_parameters():
            yield param

    def named_buffers(self) -> Iterator[tuple[str, Array]]:
        """All buffers with dotted names."""
        for module_name, module in self.named_modules():
            for name, buf in module._buffers.items():
                yield (f"{module_name}.{name}" if module_name else name), buf

    # --- modes and gradients ---

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active) on this module and all submodules."""
        walk = [self]  # it grows as the loop goes: a cheap walk, for once an epoch
        for module in walk:
            object.__setattr__(module, "training", mode)
            walk += module._modules.values()
        return self

    def eval(self) -> Module:
        """Set evaluation mode (Dropout off); same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget accumulated gradients (sets every parameter's ``grad`` to None)."""
        for param in self.parameters():
            param.grad = None

    def to(self, dtype: DTypeLike) -> Module:
        """Convert every parameter and buffer to ``dtype`` (float32 or float64), in place.

        As ``torch.nn.Module.to(dtype)``; returns the module. Buffers such as
        BatchNorm's running statistics convert too, so the arithmetic stays in one
        dtype. Build optimizers after this call: they hold the parameters' arrays.
        """
        wanted = np.dtype(dtype)
        if wanted not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(
                f"Module.to: expected float32 or float64, got {wanted.name}"
            )
        for param in self.parameters():
            param.data = param.data.astype(wanted, copy=False)
        for module in self.modules():
            for name, buf in list(module._buffers.items()):
                module.register_buffer(name, buf.astype(wanted, copy=False))
        return self

    # --- state ---

    def state_dict(self) -> dict[str, Array]:
        """A dict name -> array (copies) of all parameters and buffers."""
        state = {name: param.data.copy() for name, param in self.named_parameters()}
        state.update(
            (name, xp.array(buf, copy=True)) for name, buf in self.named_buffers()
        )
        return state

    def load_state_dict(
        self, state_dict: Mapping[str, ArrayLike], strict: bool = True
    ) -> None:
        """Copy arrays from ``state_dict`` into the parameters and buffers, in place.

        Raises
        ------
        KeyError
            With ``strict``, when keys are missing or unexpected (all are named).
        ValueError
            When an array's shape differs from the parameter's (all are named).
        """
        own: dict[str, Array] = {n: p.data for n, p in self.named_parameters()}
        own.update(self.named_buffers())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            parts = []
            if missing:
                parts.append("missing keys " + ", ".join(map(repr, missing)))
            if unexpected:
                parts.append("unexpected keys " + ", ".join(map(repr, unexpected)))
            raise KeyError(
                f"load_state_dict: {type(self).__name__}: " + "; ".join(parts)
            )
        arrays = {k: xp.asarray(v) for k, v in state_dict.items() if k in own}
        misshaped = [
            f"{k}: expected {own[k].shape}, got {a.shape}"
            for k, a in arrays.items()
            if a.shape != own[k].shape
        ]
        if misshaped:
            raise ValueError(
                f"load_state_dict: {type(self).__name__}: shape mismatch for "
                + "; ".join(misshaped)
            )
        for key, array in arrays.items():
            own[key][...] = (
                array  # in place: optimizers keep referring to the same arrays
            )

    # --- description ---

    def summary(self, input_shape: tuple[int, ...]) -> str:
        """A table of layers, output shapes and parameter counts (like Keras).

        Runs one forward pass on zeros of shape (1, *input_shape), without recording.
        """
        global _summary_rows
        dtype = next(iter(self.parameters()), Tensor(0.0)).dtype
        rows: list[tuple[str, Module, tuple[int, ...]]] = []
        _summary_rows = rows
        was_training = self.training
        try:
            self.eval()
            with no_grad():
                self(Tensor(xp.zeros((1, *input_shape), dtype=dtype)))
        finally:
            _summary_rows = None
            self.train(was_training)
        names = {id(m): name for name, m in self.named_modules()}
        table = [("Layer (type)", "Output shape", "Param #")]
        for kind, module, shape in rows:
            count = sum(p.size for p in module._parameters.values())
            name = names.get(id(module), "")
            shown = ("None", *shape[1:])
            table.append(
                (f"{name} ({kind})", str(shown).replace("'", ""), f"{count:,}")
            )
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        line = "-" * (sum(widths) + 4)
        lines = [line]
        for i, row in enumerate(table):
            lines.append(
                f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}"
            )
            if i == 0:
                lines.append(line.replace("-", "="))
        total = sum(p.size for p in self.parameters())
        trainable = sum(p.size for p in self.parameters() if p.requires_grad)
        lines += [
            line,
            f"Total params: {total:,}",
            f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}",
            line,
        ]
        return "\n".join(lines)

    def extra_repr(self) -> str:
        """Arguments shown inside the module's repr; layers override it."""
        return ""

    def _repr_html_(self) -> str:
        """A table of layers and parameter counts, for Jupyter."""
        import html

        rows = []
        for name, module in self.named_modules():
            if module._modules:  # containers: their children have the rows
                continue
            count = sum(p.size for p in module._parameters.values())
            shapes = ", ".join(
                f"{k} {tuple(p.shape)}" for k, p in module._parameters.items()
            )
            rows.append(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(repr(module))}</td>"
                f"<td>{html.escape(shapes)}</td><td style='text-align:right'>{count:,}</td></tr>"
            )
        total = sum(p.size for p in self.parameters())
        return (
            f"<table><caption>{html.escape(type(self).__name__)}: {total:,} parameters"
            "</caption><tr><th>name</th><th>layer</th><th>parameters</th><th>count</th></tr>"
            + "".join(rows)
            + "</table>"
        )

    def __repr__(self) -> str:
        children = [
            f"  ({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self._modules.items()
        ]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"


class Sequential(Module):
    """Modules applied one after another: y = f_n(...f_2(f_1(x))).

    Examples
    --------
    >>> from rosenblatt import nn
    >>> net = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Tanh(), nn.Linear(4, 1, rng=1))
    >>> len(net), type(net[1]).__name__, len(net[:2])
    (3, 'Tanh', 2)
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: expected Module instances, got {type(module).__name__} "
                    f"at position {i}"
                )
            setattr(self, str(i), module)

    def forward(self, x: Tensor) -> Tensor:
        for module in self._modules.values():
            x = module(x)
        return x

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module:
        """One layer, or (for a slice) a Sequential of the same layers, not copies.

        The slice keeps this network's mode: slicing a network that predicts does
        not switch its layers back to training.
        """
        modules: list[Module] = list(self._modules.values())
        if isinstance(index, slice):
            head = Sequential(*modules[index])
            object.__setattr__(head, "training", self.training)
            return head
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())
