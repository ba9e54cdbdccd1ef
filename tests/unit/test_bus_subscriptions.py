"""Leaving a live page ends its subscription: the queue it read from is unsubscribed."""

from __future__ import annotations

import asyncio

from helpdesk.infra import bus


def test_stopping_a_pending_read_unsubscribes():
    topic = bus.ticket_topic(424242)

    async def scenario() -> tuple[int, int]:
        stream = bus.subscribe(topic)
        pending = asyncio.ensure_future(stream.__anext__())  # the page waits for a change
        await asyncio.sleep(0.01)
        during = bus.subscriber_count(topic)
        await bus.stop_reading(stream, pending)
        return during, bus.subscriber_count(topic)

    during, after = asyncio.run(scenario())
    assert (during, after) == (1, 0)


def test_stopping_after_a_message_was_read_unsubscribes_too():
    topic = bus.ticket_topic(424243)

    async def scenario() -> int:
        stream = bus.subscribe(topic)
        pending = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.01)
        bus.publish(topic, ticket_id=424243, version=2)
        message = await asyncio.wait_for(pending, 2)
        assert message["ticket_id"] == 424243
        await bus.stop_reading(stream, None)
        return bus.subscriber_count(topic)

    assert asyncio.run(scenario()) == 0
