"""DKIM (RFC 6376) for outgoing mail: signing with dkimpy, and a key pair for `helpdesk dkim-keygen`.

Signed header fields: From, To, Subject, Date, Message-ID, Reply-To, In-Reply-To, References
(one missing from a mail is signed as absent, so nobody can add it later); canonicalization
relaxed/relaxed, which survives the header refolding and whitespace changes relays make.
"""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import dkim

SIGNED_HEADERS = (b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"In-Reply-To", b"References")
KEY_BITS = 2048


def sign(message: bytes, selector: str, domain: str, private_key_pem: bytes) -> bytes:
    """The message with its DKIM-Signature header field on top."""
    signature = dkim.sign(
        message,
        selector.encode(),
        domain.encode(),
        private_key_pem,
        canonicalize=(b"relaxed", b"relaxed"),
        include_headers=list(SIGNED_HEADERS),
    )
    return signature + message


def dns_record_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


def dns_txt_value(public_key_der: bytes) -> str:
    return f"v=DKIM1; k=rsa; p={base64.b64encode(public_key_der).decode()}"


def keygen(out: Path, bits: int = KEY_BITS) -> bytes:
    """Write a new RSA private key (PEM, mode 0600) to `out`; returns the public key (DER).

    Uses the openssl command (as dkimpy's own dknewkey does): no extra Python dependency."""
    if out.exists():
        raise FileExistsError(f"{out} already exists; not overwriting a key")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        pem = subprocess.run(
            ["openssl", "genrsa", str(bits)], check=True, capture_output=True, timeout=120
        ).stdout
        os.write(fd, pem)
    except BaseException:
        os.close(fd)
        out.unlink(missing_ok=True)
        raise
    os.close(fd)
    return subprocess.run(
        ["openssl", "rsa", "-pubout", "-outform", "DER"], input=pem, check=True, capture_output=True, timeout=60
    ).stdout
