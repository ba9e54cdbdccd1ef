"""Property tests: reply-address signing, and header parsing on hostile input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.services.inbound import addresses, thread
from helpdesk.services.inbound.parse import parse

numbers = st.integers(min_value=1, max_value=10**12 - 1)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=numbers, other=numbers)
def test_signed_addresses_round_trip_and_never_verify_for_another_ticket(data_dir, number, other):
    assert addresses.number_from_address(addresses.reply_address(number)) == number
    assert addresses.numbers_from_references([addresses.thread_id(number)]) == [number]
    if other != number:
        forged = addresses.reply_address(number).replace(f"+t{number}.", f"+t{other}.")
        assert addresses.number_from_address(forged) is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag=st.text(max_size=40))
def test_arbitrary_plus_tags_never_verify(data_dir, tag):
    local, _, domain = addresses.support_address().partition("@")
    candidate = f"{local}+{tag}@{domain}"
    number = addresses.number_from_address(candidate)
    assert number is None or addresses.reply_address(number) == candidate.lower()


hostile_header = st.one_of(
    st.text(max_size=300),
    st.just("=?utf-8?b?////?= =?x-unknown?q?=FF=FE?="),
    st.just("hola\r\nBcc: victima@x.test"),
    st.just("=?utf-8?q?a=0D=0ABcc:_x@y?="),
    st.builds(lambda n: "A" * n, st.integers(min_value=0, max_value=1_100_000)),
)


@settings(max_examples=60, deadline=None)
@given(subject=hostile_header, sender=hostile_header, refs=hostile_header)
def test_hostile_headers_parse_to_single_clean_lines(subject, sender, refs):
    raw = (
        b"From: " + sender.encode("utf-8", "surrogateescape")[:2000] + b"\r\n"
        b"Subject: " + subject.encode("utf-8", "surrogateescape") + b"\r\n"
        b"References: " + refs.encode("utf-8", "surrogateescape")[:5000] + b"\r\n\r\nbody\r\n"
    )
    mail = parse(raw)
    for value in (mail.subject, mail.from_email, mail.references, mail.message_id):
        assert "\r" not in value and "\n" not in value
    assert len(mail.subject) <= 300
    assert " " not in mail.from_email and "<" not in mail.from_email
    thread.by_subject(mail.subject)


@settings(max_examples=100, deadline=None)
@given(blob=st.binary(max_size=4000), boundary=st.text(alphabet="abc-=", max_size=10))
def test_broken_mime_never_raises(blob, boundary):
    raw = (
        b"From: a@x.test\r\nContent-Type: multipart/mixed; boundary=\"" + boundary.encode() + b"\"\r\n\r\n--"
        + boundary.encode() + b"\r\nContent-Type: text/plain; charset=no-such\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + blob + b"\r\n--" + boundary.encode() + b"\r\nContent-Type: image/png\r\n\r\n" + blob
    )
    mail = parse(raw)
    assert isinstance(mail.text, str) and len(mail.files) <= 10
    parse(blob)
