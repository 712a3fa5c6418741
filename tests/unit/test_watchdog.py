from streams.watchdog import StallClock


def test_waiting_input_and_no_progress_for_the_timeout_is_a_stall() -> None:
    clock = StallClock(timeout=60)
    assert not clock.observe(now=0, events=10, busy_elsewhere=False, lag=5)
    assert not clock.observe(now=59, events=10, busy_elsewhere=False, lag=5)
    assert clock.observe(now=60, events=10, busy_elsewhere=False, lag=5)


def test_progress_restarts_the_clock() -> None:
    clock = StallClock(timeout=60)
    clock.observe(now=0, events=10, busy_elsewhere=False, lag=5)
    assert not clock.observe(now=50, events=11, busy_elsewhere=False, lag=5)
    assert not clock.observe(now=100, events=11, busy_elsewhere=False, lag=5)
    assert clock.observe(now=110, events=11, busy_elsewhere=False, lag=5)


def test_an_idle_worker_with_nothing_to_do_is_healthy() -> None:
    clock = StallClock(timeout=60)
    for t in range(0, 600, 5):
        assert not clock.observe(now=t, events=10, busy_elsewhere=False, lag=0)


def test_recovery_or_rebalance_is_not_a_stall() -> None:
    clock = StallClock(timeout=60)
    for t in range(0, 600, 5):
        assert not clock.observe(now=t, events=10, busy_elsewhere=True, lag=None)
    assert not clock.observe(now=605, events=10, busy_elsewhere=False, lag=5)


def test_kafka_not_answering_never_declares_a_stall() -> None:
    clock = StallClock(timeout=60)
    clock.observe(now=0, events=10, busy_elsewhere=False, lag=5)
    assert not clock.observe(now=500, events=10, busy_elsewhere=False, lag=None)
