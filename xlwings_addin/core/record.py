"""``@record``: a frozen dataclass made without generating code, so that importing the package is fast.

Every button click starts a fresh Python (RunPython), which imports the core again. The standard
``@dataclass(frozen=True)`` writes six methods per class as source text and compiles each with
``exec``: for the 35 record types of the core and readers that was most of the import time. A
record behaves like such a dataclass (keyword or positional construction, defaults and
``field(default_factory=...)``, equality, hashing, a readable repr, immutability) and keeps the
standard metadata, so ``dataclasses.fields``, ``replace`` and ``is_dataclass`` work unchanged; its
methods are shared generic functions instead of generated ones.
"""

from __future__ import annotations

import dataclasses as _dc
from dataclasses import MISSING, Field, FrozenInstanceError, field

__all__ = ["record", "field"]

_FIELDS = _dc._FIELDS  # "__dataclass_fields__": what fields(), replace() and is_dataclass() read
_FIELD = _dc._FIELD


def record(cls):
    """Make ``cls`` an immutable record from its annotated fields (the order of the annotations)."""
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, _FIELDS, {}) or {})
    for name, kind in cls.__dict__.get("__annotations__", {}).items():
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else field(default=value)
        f.name, f.type, f._field_type = name, kind, _FIELD
        if isinstance(value, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        fields[name] = f
    setattr(cls, _FIELDS, fields)
    names = tuple(fields)
    plan = tuple((n, fields[n].default, fields[n].default_factory) for n in names)
    count = len(names)

    fixed = {n: d for n, d, _ in plan if d is not MISSING}
    factories = tuple((n, f) for n, d, f in plan if d is MISSING and f is not MISSING)
    required = tuple(n for n, d, f in plan if d is MISSING and f is MISSING)
    known = frozenset(names)

    def __init__(self, *args, **kwargs):
        if args:
            if len(args) > count:
                raise TypeError(f"{cls.__name__}() takes {count} arguments, {len(args)} given")
            for name, value in zip(names, args):
                if name in kwargs:
                    raise TypeError(f"{cls.__name__}() got multiple values for argument '{name}'")
                kwargs[name] = value
        if not known.issuperset(kwargs):
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{next(k for k in kwargs if k not in known)}'")
        # One dict update instead of a setattr per field: records are built by the thousand when reading.
        values = fixed.copy()
        values.update(kwargs)
        for name, factory in factories:
            if name not in kwargs:
                values[name] = factory()
        for name in required:
            if name not in values:
                raise TypeError(f"{cls.__name__}() missing required argument: '{name}'")
        self.__dict__.update(values)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self):
        return hash(tuple(self.__dict__[n] for n in names))

    def __repr__(self):
        return f"{cls.__qualname__}(" + ", ".join(f"{n}={self.__dict__[n]!r}" for n in names) + ")"

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    for fn in (__init__, __eq__, __hash__, __repr__, __setattr__, __delattr__):
        fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
        if fn.__name__ not in cls.__dict__ or fn.__name__ in ("__init__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
            setattr(cls, fn.__name__, fn)
    return cls
