"""SQLAlchemy's asyncio extension without its ORM half, until something asks for it.

``sqlalchemy/ext/asyncio/__init__.py`` imports ``AsyncSession`` and its scoped sessions, and
with them all of ``sqlalchemy.orm``: about 6 MiB of the bot's idle memory (``python -m
bench.memory``) for classes the bot never uses, since its storage is SQLAlchemy Core. The
parts it uses, ``AsyncEngine`` and ``AsyncConnection`` and their results, live in the
package's ``engine`` and ``result`` submodules, which do not need the ORM.

:func:`install` puts the package in ``sys.modules`` built from its own spec but without
running its ``__init__``, imports those two submodules and exposes their public names on it,
as ``__init__`` would. The first time anything asks the package for another name
(``from sqlalchemy.ext.asyncio import AsyncSession``), the real ``__init__`` runs, so every
name stays where SQLAlchemy documents it. If the package's layout ever differs from what this
expects, the plain import is done instead: only the memory saving is lost.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGE = "sqlalchemy.ext.asyncio"
EAGER: dict[str, tuple[str, ...]] = {
    "engine": (
        "async_engine_from_config",
        "AsyncConnection",
        "AsyncEngine",
        "AsyncTransaction",
        "create_async_engine",
        "create_async_pool_from_url",
    ),
    "result": ("AsyncMappingResult", "AsyncResult", "AsyncScalarResult", "AsyncTupleResult"),
}
"""The names ``__init__`` takes from each ORM-free submodule."""


def install() -> None:
    """Import ``sqlalchemy.ext.asyncio`` with only its Core half, once per process."""
    if PACKAGE in sys.modules:
        return
    if not _import_core_half():
        importlib.import_module(PACKAGE)


def _import_core_half() -> bool:
    parent = importlib.import_module("sqlalchemy.ext")
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return False
    loader = spec.loader
    package = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = package
    try:
        for submodule, names in EAGER.items():
            source = importlib.import_module(f"{PACKAGE}.{submodule}")
            for name in names:
                setattr(package, name, getattr(source, name))
    except (ImportError, AttributeError):
        _forget_partial_import()
        return False
    setattr(parent, "asyncio", package)  # noqa: B010 (as the import system binds a submodule)

    def complete_on_demand(name: str) -> Any:
        # Runs the real __init__ in the package's namespace; its imports of the submodules
        # loaded above find them in sys.modules.
        del package.__dict__["__getattr__"]
        loader.exec_module(package)
        return getattr(package, name)

    package.__dict__["__getattr__"] = complete_on_demand
    return True


def _forget_partial_import() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def is_complete(package: ModuleType) -> bool:
    """Whether the package's real ``__init__`` has run (for the tests)."""
    return "__getattr__" not in package.__dict__
