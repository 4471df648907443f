"""The webhook histogram (bot.metrics.WebhookTimes) reads as prometheus-client's own would."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from bot.metrics import NETWORK_BUCKETS, WebhookTimes


def _text(registry: CollectorRegistry) -> list[str]:
    # prometheus-client's in-memory histogram also writes when each series was created.
    return [
        line for line in generate_latest(registry).decode().splitlines() if "_created" not in line
    ]


def test_the_histogram_is_written_as_prometheus_client_writes_one() -> None:
    theirs = CollectorRegistry()
    histogram = Histogram(
        WebhookTimes.NAME,
        WebhookTimes.DOCUMENTATION,
        ["channel", "status"],
        buckets=NETWORK_BUCKETS,
        registry=theirs,
    )
    times = WebhookTimes()
    # On a bound, just above it, beyond the last one, and statuses of their own.
    for channel, status, seconds in [
        ("whatsapp", 200, 0.005),
        ("whatsapp", 200, 0.0051),
        ("whatsapp", 200, 0.3),
        ("whatsapp", 200, 10.0),
        ("whatsapp", 200, 42.0),
        ("whatsapp", 503, 2.0),
        ("telegram", 200, 0.0001),
    ]:
        histogram.labels(channel, str(status)).observe(seconds)
        times.observe(channel, status, seconds)
    ours = CollectorRegistry()
    ours.register(times)
    assert _text(ours) == _text(theirs)
    assert f'{WebhookTimes.NAME}_count{{channel="whatsapp",status="200"}} 5.0' in _text(ours)
