"""Building realistic received mails for the e-mail channel's tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
QUOTED = "\n\nEl lun, 3 mar 2025 a las 10:00, Centro de ayuda (<soporte@localhost>) escribió:\n> Texto antiguo del agente\n> que no debe aparecer\n"


def build(
    *,
    sender: str = "ana@x.test",
    to: str = "soporte@localhost",
    subject: str = "Re: [#1001] No puedo llamar",
    body: str = "Sigue sin funcionar desde el fijo.",
    quoted: bool = True,
    headers: dict | None = None,
    files: list[tuple[str, bytes, str]] = (),
    html: str | None = None,
    message_id: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ana <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="x.test")
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body + (QUOTED if quoted else ""))
    for name, data, ctype in files:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def dsn(original: bytes, *, reporter: str = "mailer-daemon@mx.x.test", to: str = "soporte@localhost") -> bytes:
    """A delivery status notification (RFC 3464) returning `original`'s headers."""
    headers = original.split(b"\n\n", 1)[0].decode()
    return (
        f"From: Mail Delivery System <{reporter}>\r\nTo: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.x.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.x.test\r\n\r\n"
        "Final-Recipient: rfc822; nadie@x.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n{headers}\r\n--B--\r\n"
    ).encode()
