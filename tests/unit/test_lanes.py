import threading

import httpx
import pytest

from slackcase.kore.lanes import Lanes, LanesBusy, LanesClosed


def lanes(size: int) -> tuple[Lanes, list[httpx.Client]]:
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        made.append(httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
        return made[-1]

    return Lanes(make, size), made


def test_one_request_at_a_time_reuses_one_client():
    pool, made = lanes(4)
    for _ in range(5):
        with pool.lend(wait=1) as http:
            assert http.get("http://kore.test/").status_code == 200
    assert len(made) == 1 and pool.size == 1


def test_requests_in_flight_each_get_their_own_client_and_the_warmest_is_lent_next():
    pool, made = lanes(4)
    with pool.lend(wait=1) as first, pool.lend(wait=1) as second:
        assert first is not second
    with pool.lend(wait=1) as again:
        assert again is first or again is second
    assert len(made) == 2
    with pool.lend(wait=1) as a:
        pass
    with pool.lend(wait=1) as b:
        assert b is a  # last returned, first lent: its connection is the freshest


def test_no_more_clients_than_the_size_and_a_clear_error_when_none_comes_free():
    pool, made = lanes(2)
    with pool.lend(wait=1), pool.lend(wait=1), pytest.raises(LanesBusy), pool.lend(wait=0.05):
        pass
    assert len(made) == 2


def test_a_waiting_request_gets_the_client_given_back():
    pool, made = lanes(1)
    got: list[httpx.Client] = []
    holding = threading.Event()

    def other() -> None:
        with pool.lend(wait=5) as http:
            got.append(http)

    with pool.lend(wait=1) as first:
        waiter = threading.Thread(target=other)
        waiter.start()
        holding.wait(0.05)
        assert not got
    waiter.join(5)
    assert got == [first] and len(made) == 1


def test_close_closes_every_client_and_refuses_new_requests():
    pool, made = lanes(3)
    with pool.lend(wait=1), pool.lend(wait=1):
        pass
    pool.close()
    assert len(made) == 2 and all(c.is_closed for c in made)
    with pytest.raises(LanesClosed), pool.lend(wait=1):
        pass
