import os

import pytest

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ["no_proxy"] = os.environ["NO_PROXY"]

from tests.harness import World, make_world


@pytest.fixture
def world(tmp_path):
    w: World = make_world(tmp_path)
    yield w
    w.stop()


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole run; under CI=true its absence is a failure."""
    from tests.pg import INSTALL_HINT, PgServer, server_binaries

    bindir = server_binaries()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    server = PgServer(bindir)
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server):
    """A new empty PostgreSQL database of its own, as a postgresql:// URL."""
    return pg_server.new_database()
