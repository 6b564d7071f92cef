"""SQLAlchemy's asyncio extension is loaded without the ORM, and the ORM half still works
when asked for. Each case runs in a fresh interpreter: this one has imported everything."""

from __future__ import annotations

from typing import Any

from tests.support.fresh_interpreter import json_report


def _report(script: str) -> dict[str, Any]:
    report: dict[str, Any] = json_report(script, timeout=120)
    return report


def test_the_application_never_loads_the_orm() -> None:
    report = _report(
        """
        import json, sys
        import bot.app, bot.ops.leader, bot.ops.limiters, storage.database
        import sqlalchemy.ext.asyncio as extension
        from sqlalchemy.ext.asyncio.engine import AsyncEngine
        print(json.dumps({
            "orm": "sqlalchemy.orm" in sys.modules,
            "same_engine_class": extension.AsyncEngine is AsyncEngine,
        }))
        """
    )

    assert report == {"orm": False, "same_engine_class": True}


def test_a_bot_module_first_still_keeps_the_orm_out() -> None:
    # bot.ops.leader imports SQLAlchemy's asyncio extension itself, before any storage module.
    report = _report(
        """
        import json, sys
        import bot.ops.leader
        print(json.dumps({"orm": "sqlalchemy.orm" in sys.modules}))
        """
    )

    assert report == {"orm": False}


def test_asking_for_the_orm_half_runs_the_real_package() -> None:
    report = _report(
        """
        import json, sys
        import storage
        import sqlalchemy.ext.asyncio as extension
        from storage.asyncio_without_orm import is_complete
        engine_class = extension.AsyncEngine
        before = is_complete(extension)
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
        from sqlalchemy.ext.asyncio.session import AsyncSession as Documented
        print(json.dumps({
            "before": before,
            "after": is_complete(extension),
            "orm": "sqlalchemy.orm" in sys.modules,
            "session": AsyncSession is Documented,
            "engine_kept": extension.AsyncEngine is engine_class,
            "sessionmaker": async_sessionmaker.__name__,
        }))
        """
    )

    assert report == {
        "before": False,
        "after": True,
        "orm": True,
        "session": True,
        "engine_kept": True,
        "sessionmaker": "async_sessionmaker",
    }


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    report = _report(
        """
        import json
        import storage
        import sqlalchemy.ext.asyncio as extension
        try:
            extension.NoSuchThing
        except AttributeError:
            outcome = "AttributeError"
        else:
            outcome = "found"
        print(json.dumps({"outcome": outcome}))
        """
    )

    assert report == {"outcome": "AttributeError"}


def test_an_unexpected_layout_falls_back_to_the_plain_import() -> None:
    report = _report(
        """
        import json, sys
        from storage import asyncio_without_orm as shim
        del sys.modules["sqlalchemy.ext.asyncio"]
        for name in [m for m in sys.modules if m.startswith("sqlalchemy.ext.asyncio.")]:
            del sys.modules[name]
        shim.EAGER["engine"] = (*shim.EAGER["engine"], "NotInThisVersion")
        shim.install()
        import sqlalchemy.ext.asyncio as extension
        print(json.dumps({
            "complete": shim.is_complete(extension),
            "session": hasattr(extension, "AsyncSession"),
        }))
        """
    )

    assert report == {"complete": True, "session": True}


def test_install_twice_changes_nothing() -> None:
    report = _report(
        """
        import json, sys
        from storage import asyncio_without_orm as shim
        first = sys.modules["sqlalchemy.ext.asyncio"]
        shim.install()
        print(json.dumps({"same": sys.modules["sqlalchemy.ext.asyncio"] is first,
                          "orm": "sqlalchemy.orm" in sys.modules}))
        """
    )

    assert report == {"same": True, "orm": False}
