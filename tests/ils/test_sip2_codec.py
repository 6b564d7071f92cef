"""The SIP2 codec: checksums from the standard, round trips, and garbage that must not crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ils.sip2.codec import (
    ChecksumMismatch,
    Message,
    Sip2FormatError,
    can_carry,
    check_charset,
    checksum,
    decode,
    encode,
    message,
)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        # The 3M SIP2 Developers Guide, page 26 (also Koha's t/db_dependent/SIP tests).
        ("990 402.00AY1AZ", "FCB4"),
        # The SC Status example most SIP2 implementations test against.
        ("9900302.00AY1AZ", "FCA5"),
        # The guide's login example (the guide misprints it as EC78).
        ("9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ", "EC7B"),
    ],
)
def test_checksum_examples_from_the_standard(prefix: str, expected: str) -> None:
    assert checksum(prefix.encode("ascii")) == expected


def test_a_login_encodes_as_in_the_standard() -> None:
    login = message(
        "93", "00", [("CN", "LoginUserID"), ("CO", "LoginPassword"), ("CP", "LocationCode")]
    )

    frame = encode(login, charset="cp1251", sequence=5)

    assert frame == b"9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B\r"


def test_a_response_with_its_trailer_decodes() -> None:
    decoded = decode(b"9900302.00AY1AZFCA5\r", charset="ascii", error_detection=True)

    assert decoded.message == Message("99", "00302.00")
    assert decoded.sequence == 1


def test_control_messages_carry_a_checksum_but_no_sequence() -> None:
    frame = encode(Message("97"), charset="ascii", sequence=3)

    assert frame == b"97AZFEF5\r"
    assert decode(frame, charset="ascii", error_detection=True).sequence is None


def test_cyrillic_round_trips_in_cp1251_and_repeated_fields_keep_their_order() -> None:
    original = message(
        "66",
        "100020001" + "20270310    123000",
        [("AO", "MAIN"), ("BM", "B-1"), ("BM", "B-2"), ("BN", "B-3"), ("AF", "Книга на брони")],
    )

    frame = encode(original, charset="cp1251", sequence=7)
    decoded = decode(frame, charset="cp1251", error_detection=True)

    assert "Книга на брони".encode("cp1251") in frame
    assert decoded.message == original
    assert decoded.message.every("BM") == ["B-1", "B-2"]
    assert decoded.sequence == 7


def test_a_changed_byte_fails_the_checksum() -> None:
    frame = bytearray(encode(message("94", "1", []), charset="ascii", sequence=0))
    frame[2] = ord("0")

    with pytest.raises(ChecksumMismatch):
        decode(bytes(frame), charset="ascii", error_detection=True)


def test_a_bad_looking_trailer_is_a_value_when_error_detection_is_off() -> None:
    decoded = decode(
        b"18040001" + b"20270310    123000" + b"AJAZ12AZ1234\r",
        charset="ascii",
        error_detection=False,
    )

    assert decoded.message.first("AJ") == "AZ12AZ1234"


def test_personal_data_is_masked_in_logs_too() -> None:
    response = message("64", "", [("AE", "Иванова"), ("BE", "a@b.ru"), ("AU", "B-1")])

    assert response.redacted() == "64AE***|BE***|AUB-1|"


def test_a_missing_checksum_is_an_error_only_when_error_detection_is_on() -> None:
    assert decode(b"941\r", charset="ascii", error_detection=False).message.fixed == "1"
    with pytest.raises(ChecksumMismatch):
        decode(b"941\r", charset="ascii", error_detection=True)


@pytest.mark.parametrize(
    "record",
    [b"", b"\r", b"9\r", b"XX1\r", b"12345\r", b"64YY\r", b"30" + b"1" * 22 + b"|X|\r"],
)
def test_malformed_records_are_format_errors(record: bytes) -> None:
    with pytest.raises(Sip2FormatError):
        decode(record, charset="cp1251", error_detection=False)


def test_servers_ending_records_with_crlf_and_no_last_terminator_are_read() -> None:
    decoded = decode(
        b"\n18040001" + b"20270310    123000" + b"ABX-1|AJTitle\r\n",
        charset="cp1251",
        error_detection=False,
    )

    assert decoded.message.first("AJ") == "Title"


@pytest.mark.parametrize("value", ["a|b", "a\rb", "a\nb", "a\0b", "snow ☃"])
def test_values_that_would_break_the_record_are_refused(value: str) -> None:
    assert not can_carry(value, "cp1251")
    with pytest.raises(ValueError) as refused:
        encode(message("63", "", [("AA", value)]), charset="cp1251")
    assert value not in str(refused.value)


def test_redacted_masks_pins_and_passwords() -> None:
    request = message("63", "000", [("AA", "123"), ("AD", "9876"), ("AC", "tp"), ("CO", "pw")])

    shown = request.redacted()

    assert "123" in shown
    assert "9876" not in shown and "tp|" not in shown and "pw" not in shown


def test_charsets_that_change_ascii_are_refused() -> None:
    assert check_charset("CP1251") == "cp1251"
    with pytest.raises(ValueError):
        check_charset("utf-16")
    with pytest.raises(ValueError):
        check_charset("no-such-charset")


@given(st.binary(max_size=400), st.booleans())
def test_garbage_never_raises_anything_but_a_format_error(data: bytes, checked: bool) -> None:
    with contextlib.suppress(Sip2FormatError):
        decode(data, charset="cp1251", error_detection=checked)


_values = st.text(alphabet=st.characters(codec="cp1251", exclude_characters="|\r\n\0"), max_size=40)


@given(
    st.lists(st.tuples(st.sampled_from(["AA", "AB", "AF", "AJ", "AU", "BM"]), _values), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
)
def test_every_encodable_message_round_trips(
    fields: list[tuple[str, str]], sequence: int | None
) -> None:
    original = Message("18", "04000120270310    123000", tuple(fields))

    frame = encode(original, charset="cp1251", sequence=sequence)
    decoded = decode(frame, charset="cp1251", error_detection=sequence is not None)

    assert decoded.message == original
    assert decoded.sequence == sequence
