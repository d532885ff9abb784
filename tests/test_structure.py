"""The structure the README's "Architecture" section promises: the layers, the one transaction
helper, the size of modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from conference.core.database import reading, transaction
from conference.core.models import Congress
from tests import factories

PACKAGE = Path(__file__).resolve().parent.parent / "conference"

#: Infrastructure that owns its own transactions outside any request or command: the mail
#: sender's delivery passes, and the helper itself.
OWN_TRANSACTIONS = {"core/database.py", "core/mail.py"}


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def test_the_import_contracts_hold():
    """``make lint`` runs the same check; here it fails the suite too."""
    command = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(command), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


MAX_MODULE_LINES = 500


def test_no_module_in_the_package_is_longer_than_500_lines():
    """A module is split along its topics before it grows past 500 lines (issue 15)."""
    too_long = {
        name: len(source.splitlines())
        for name, source in _sources()
        if len(source.splitlines()) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_only_the_transaction_helper_commits_or_rolls_back():
    offenders = []
    for name, source in _sources():
        if name in OWN_TRANSACTIONS or name == "shell/web.py":
            continue  # web.py: the error handler's rollback of a request that raised
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and ast.unparse(node.func.value) == "db.session"
                and "# not a unit of work" not in lines[node.lineno - 1]
            ):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def _committed_slugs(db) -> list[str]:
    """What another connection sees: only committed rows."""
    with reading(), db.engine.connect() as connection:
        return list(connection.execute(select(Congress.slug)).scalars())


def test_transaction_commits_once_at_the_outermost_block(app, db):
    with transaction():
        with transaction():
            factories.congress(slug="inner")
        seen_inside = _committed_slugs(db)

    assert seen_inside == []
    assert _committed_slugs(db) == ["inner"]


def test_transaction_rolls_back_everything_when_an_exception_leaves_it(app, db):
    with pytest.raises(RuntimeError), transaction():
        factories.congress(slug="lost")
        raise RuntimeError("refused")

    assert db.session.execute(select(Congress.slug)).scalars().all() == []
