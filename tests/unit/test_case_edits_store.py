"""Changes to filed cases in the store: one row per key whoever records it, one owner."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from slackcase.core.domain import CaseEdit, EditState, new_edit_id
from slackcase.store import open_store


def edit(key: str = "add:ci-1:1700000000.000100") -> CaseEdit:
    return CaseEdit(id=new_edit_id(), idem_key=key, kind="add", submission_id="sc-1",
                    case_id="ci-1", ref_id="CS000101", user_id="U1",
                    changes={"append": "a later message"}, tell={"channel": "C1"})


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "store.db"))
    yield s
    s.close()


def test_the_same_key_recorded_by_many_at_once_is_one_edit(store):
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: store.record_edit(edit()), range(20)))
    assert sum(added for _, added in results) == 1
    assert len({stored.id for stored, _ in results}) == 1
    assert store.edits_due() == [results[0][0].id]


def test_an_edit_is_worked_by_one_owner_until_finished(tmp_path, store):
    recorded, _ = store.record_edit(edit())
    other = open_store(str(tmp_path / "store.db"))
    try:
        claimed = store.claim_edit(recorded.id, 30)
        assert claimed is not None and claimed.changes == {"append": "a later message"}
        assert other.claim_edit(recorded.id, 30) is None
        assert store.edits_due() == []
        store.mark_edit(claimed, EditState.DONE)
        store.release_edit(claimed)
        assert other.claim_edit(recorded.id, 30) is None  # finished: nobody takes it
        assert store.get_edit(recorded.id).state is EditState.DONE
    finally:
        other.close()
