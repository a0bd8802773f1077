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
