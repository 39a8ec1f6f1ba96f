"""``@record``: an immutable data class made without generating code, so that importing the package is fast.

Every button click starts a fresh Python (RunPython), which imports the core again. The standard
``@dataclass(frozen=True)`` writes six methods per class as source text and compiles each with
``exec``, and importing ``dataclasses`` itself pulls in ``inspect`` (and ``ast``, ``tokenize``...):
for the record types of the core and the readers that was most of the import time of a click.

A record behaves like such a dataclass: keyword or positional construction, defaults and
``field(default_factory=...)``, equality, hashing, a readable repr, immutability. Its methods are
shared generic functions. ``fields``, ``replace`` and ``is_record`` here do what the ``dataclasses``
functions do; and for code that uses ``dataclasses`` directly (tests, tools), each record class
answers ``__dataclass_fields__`` on first use, so ``dataclasses.replace``/``fields``/``is_dataclass``
work too (``dataclasses`` is imported only then).
"""

from __future__ import annotations

__all__ = ["record", "field", "fields", "replace", "is_record", "MISSING", "FrozenRecordError"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class FrozenRecordError(AttributeError):
    """A record's fields cannot be assigned or deleted (like ``dataclasses.FrozenInstanceError``)."""


class Field:
    """One field of a record: name, annotation, default or default factory."""

    __slots__ = ("name", "type", "default", "default_factory")

    def __init__(self, default=MISSING, default_factory=MISSING):
        self.name = ""
        self.type = None
        self.default = default
        self.default_factory = default_factory

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default=MISSING, default_factory=MISSING) -> Field:
    """A field with a default value or a factory for one (``field(default_factory=tuple)``)."""
    return Field(default, default_factory)


_RECORD_FIELDS = "__record_fields__"


def fields(obj) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    cls = obj if isinstance(obj, type) else type(obj)
    return tuple(getattr(cls, _RECORD_FIELDS).values())


def is_record(obj) -> bool:
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, _RECORD_FIELDS)


def replace(obj, **changes):
    """A copy of a record with some fields changed."""
    return type(obj)(**{**obj.__dict__, **changes})


class _DataclassFields:
    """``__dataclass_fields__`` built on first use, for code that calls the ``dataclasses`` functions."""

    def __get__(self, obj, cls):
        cached = cls.__dict__.get("_dataclass_fields_cache")
        if cached is None:
            import dataclasses

            cached = {}
            for f in getattr(cls, _RECORD_FIELDS).values():
                dc = dataclasses.field(default=dataclasses.MISSING if f.default is MISSING else f.default,
                                       default_factory=(dataclasses.MISSING if f.default_factory is MISSING
                                                        else f.default_factory))
                dc.name, dc.type, dc._field_type = f.name, f.type, dataclasses._FIELD
                cached[f.name] = dc
            type.__setattr__(cls, "_dataclass_fields_cache", cached)
        return cached


def record(cls):
    """Make ``cls`` an immutable record from its annotated fields (the order of the annotations)."""
    fields_: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields_.update(getattr(base, _RECORD_FIELDS, {}) or {})
    for name, kind in cls.__dict__.get("__annotations__", {}).items():
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name, f.type = name, kind
        if isinstance(value, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        fields_[name] = f
    setattr(cls, _RECORD_FIELDS, fields_)
    setattr(cls, "__dataclass_fields__", _DataclassFields())
    names = tuple(fields_)
    count = len(names)
    fixed = {n: f.default for n, f in fields_.items() if f.default is not MISSING}
    factories = tuple((n, f.default_factory) for n, f in fields_.items()
                      if f.default is MISSING and f.default_factory is not MISSING)
    required = tuple(n for n, f in fields_.items() if f.default is MISSING and f.default_factory is MISSING)
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
        raise FrozenRecordError(f"cannot assign to field '{name}'")

    def __delattr__(self, name):
        raise FrozenRecordError(f"cannot delete field '{name}'")

    for fn in (__init__, __eq__, __hash__, __repr__, __setattr__, __delattr__):
        fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
        if fn.__name__ != "__repr__" or "__repr__" not in cls.__dict__:
            setattr(cls, fn.__name__, fn)
    return cls
