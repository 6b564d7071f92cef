"""The SIP2 client's error detection, TLS and secrecy against the fake server."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from handlers.loans.ils import IlsUnavailable, PatronStatus, Refusal
from tests.fakes.sip2_server import FakeSip2Server
from tests.ils.sip2_support import (
    CARD,
    LOGIN,
    PIN,
    circulation,
    client_for,
    clock,
    connected_client,
)


@pytest.fixture
async def checked() -> AsyncIterator[FakeSip2Server]:
    """A server with error detection on: every record carries AY and AZ."""
    async with FakeSip2Server(clock=clock, login=LOGIN, error_detection=True) as server:
        circulation(server)
        yield server
    assert server.errors == []


async def test_sequence_numbers_and_checksums_are_sent_and_checked(
    checked: FakeSip2Server,
) -> None:
    async with connected_client(checked) as ils:
        for _ in range(4):  # more than ten records: the sequence digit wraps around
            assert (await ils.verify(CARD, PIN)).status is PatronStatus.OK
            await ils.loans(CARD)
    assert len(checked.received) > 10
    assert checked.connections == 1


async def test_a_response_with_a_bad_checksum_is_asked_for_again(
    checked: FakeSip2Server,
) -> None:
    async with connected_client(checked) as ils:
        await ils.verify(CARD, PIN)
        checked.fail_next("corrupt")

        renewal = await ils.renew(CARD, "B-001")

    assert renewal.renewed
    assert checked.items["B-001"].renewed == 1
    assert checked.received.count("97") == 1
    assert checked.received.count("29") == 1


async def test_a_checksum_bad_twice_breaks_the_exchange(checked: FakeSip2Server) -> None:
    async with connected_client(checked, retries=0) as ils:
        await ils.verify(CARD, PIN)
        checked.fail_next("corrupt", times=2)  # the answer, and the answer to 97
        with pytest.raises(IlsUnavailable):
            await ils.renew(CARD, "B-001")

    assert checked.received.count("29") == 1  # its outcome is unknown: never sent twice


async def test_a_request_for_resend_gets_the_request_again(checked: FakeSip2Server) -> None:
    async with connected_client(checked) as ils:
        await ils.verify(CARD, PIN)
        checked.fail_next("resend")

        renewal = await ils.renew(CARD, "B-001")

    assert renewal.renewed
    assert checked.received.count("29") == 2  # the first one answered with 96, then resent
    assert checked.items["B-001"].renewed == 1


async def test_a_server_with_checksums_rejects_a_client_without(
    checked: FakeSip2Server,
) -> None:
    async with connected_client(checked, error_detection=False, retries=1) as ils:
        with pytest.raises(IlsUnavailable):
            await ils.verify(CARD, PIN)


# --- TLS ----------------------------------------------------------------------------------


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake sip2 server")])
    # OpenSSL checks validity against the real clock, which TEST_CLOCK_AT does not move.
    start = datetime(2000, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "server.pem", directory / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_tls_with_the_servers_own_ca(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    async with FakeSip2Server(clock=clock, login=LOGIN, ssl_context=context) as sip:
        circulation(sip)
        trusted = client_for(sip, tls=True, ca_file=str(cert_file))
        untrusted = client_for(sip, tls=True, retries=0)
        try:
            assert (await trusted.renew(CARD, "B-002")).refusal is Refusal.RESERVED
            with pytest.raises(IlsUnavailable):
                await untrusted.verify(CARD, PIN)  # the system's CAs do not know this one
        finally:
            await trusted.close()
            await untrusted.close()
    assert sip.errors == []


# --- secrecy ------------------------------------------------------------------------------


async def test_the_pin_reaches_no_log_line_and_no_error(
    checked: FakeSip2Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with connected_client(checked, retries=1) as ils:
        assert (await ils.verify(CARD, PIN)).status is PatronStatus.OK
        assert (await ils.verify(CARD, PIN + "1")).status is PatronStatus.WRONG_PIN
        checked.fail_next("drop", times=2)
        with pytest.raises(IlsUnavailable) as failure:
            await ils.verify(CARD, PIN)

    assert "63" in caplog.text  # the exchanges were logged at DEBUG
    assert "***" in caplog.text  # with the PIN masked
    assert PIN not in caplog.text
    assert LOGIN[1] not in caplog.text
    assert PIN not in str(failure.value)
    assert PIN not in repr(failure.value)
    assert failure.value.__cause__ is None and failure.value.__context__ is None
