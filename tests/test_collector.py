"""The collector's automatic walks are paused while any thread asks, and resume as found."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from service import collector


@pytest.fixture(autouse=True)
def collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_a_pause_ends_with_the_last_of_the_callers_that_asked() -> None:
    outer_inside, outer_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    def outer() -> None:
        with collector.paused():
            outer_inside.set()
            outer_may_end.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=outer)
    thread.start()
    outer_inside.wait(5)
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled(), "the other thread still asks for the pause"
    outer_may_end.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_paused_call_returns_its_value_and_resumes_on_error() -> None:
    assert collector.paused_call(lambda a, b: (a, b, gc.isenabled()), 1, b=2) == (1, 2, False)
    with pytest.raises(ZeroDivisionError):
        collector.paused_call(lambda: 1 / 0)
    assert gc.isenabled()
