"""Upload checks with real magic bytes, the content-addressed store, and attachment rows."""

from __future__ import annotations

import io
import os
import random
import struct
import zipfile
import zlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import Attachment, Ticket
from helpdesk.infra.settings import get_settings
from helpdesk.infra.storage import FileStore, InvalidDigest, get_store, sha256_hex
from helpdesk.services import attachments as att
from helpdesk.services.errors import ServiceError


@pytest.fixture
def env(data_dir, monkeypatch):
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def set_env(monkeypatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MP4 = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 0x200) + b"isommp41" + b"\x00\x00\x00\x08free" * 4
MOV = struct.pack(">I", 20) + b"ftypqt  " + struct.pack(">I", 0x200) + b"qt  " + b"\x00\x00\x00\x08wide" * 4
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def refused(code: str, filename: str, data: bytes, **kw) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        att.validate_upload(filename, data, **kw)
    assert info.value.code == code
    assert info.value.field == "attachments"
    return info.value


ALLOWED = [
    ("shot.png", png_bytes(), "image/png"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("photo.jpe", JPEG, "image/jpeg"),
    ("anim.gif", GIF, "image/gif"),
    ("img.webp", WEBP, "image/webp"),
    ("invoice.pdf", PDF, "application/pdf"),
    ("clip.mp4", MP4, "video/mp4"),
    ("clip.mov", MOV, "video/quicktime"),
    ("clip.webm", WEBM, "video/webm"),
    ("logs.zip", make_zip({"app.log": b"INFO started\n" * 500}), "application/zip"),
    ("app.log", "ERROR: conexión rechazada\n\x1b[31mred\x1b[0m\n".encode(), "text/plain; charset=utf-8"),
    ("notes.txt", b"plain ascii\r\n", "text/plain; charset=utf-8"),
    ("datos.csv", "nombre;ciudad\nJosé;Cádiz\n".encode("latin-1"), "text/csv; charset=iso-8859-1"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), ALLOWED, ids=[row[0] for row in ALLOWED])
def test_allowed_types_are_detected_from_their_bytes(env, name, data, content_type):
    vf = att.validate_upload(name, data)
    assert vf.content_type == content_type
    assert vf.filename == name
    assert vf.size == len(data)
    assert vf.sha256 == sha256_hex(data)


def test_extension_is_lowercased_or_added_from_the_real_type(env):
    assert att.validate_upload("Photo.JPG", JPEG).filename == "Photo.jpg"
    assert att.validate_upload("screenshot", png_bytes()).filename == "screenshot.png"
    assert att.validate_upload("README", b"hello\n").filename == "README.txt"


@pytest.mark.parametrize("data", [ELF, EXE], ids=["elf", "exe"])
def test_executables_are_refused_whatever_their_name(env, data):
    for name in ("cat.png", "setup.exe", "report.pdf", "notes.txt", "noext"):
        err = refused("attachments.type_not_allowed", name, data)
        assert err.params["filename"] == name


def test_claimed_type_must_match_the_bytes(env):
    refused("attachments.type_mismatch", "cat.png", b"#!/bin/sh\nrm -rf ~\n")
    refused("attachments.type_mismatch", "cat.png", JPEG)
    refused("attachments.type_mismatch", "doc.pdf", png_bytes())
    refused("attachments.type_mismatch", "notes.txt", png_bytes())
    refused("attachments.type_mismatch", "movie.mp4", os.urandom(256))


def test_scripts_svg_html_and_unknown_kinds_are_refused(env):
    refused("attachments.type_not_allowed", "run.sh", b"#!/bin/sh\necho hi\n")
    refused("attachments.type_not_allowed", "logo.svg", SVG)
    refused("attachments.type_not_allowed", "logo.txt", SVG)
    refused("attachments.type_not_allowed", "page.txt", b"\n  <!DOCTYPE html><html><script>x</script>")
    refused("attachments.type_not_allowed", "page.html", b"<html></html>")
    refused("attachments.type_not_allowed", "blob.bin", os.urandom(256))
    refused("attachments.type_not_allowed", "noext", os.urandom(256))
    refused("attachments.type_not_allowed", "nul.txt", b"text with a \x00 byte")
    refused("attachments.type_not_allowed", "photo.png.exe", png_bytes())
    refused("attachments.type_not_allowed", "backup.tar.gz", zlib.compress(b"x" * 100))


def test_empty_and_oversized_files_are_refused(env):
    err = refused("attachments.empty", "empty.txt", b"")
    assert err.params == {"filename": "empty.txt"}
    set_env(env, HELPDESK_MAX_FILE_MB="1", HELPDESK_MAX_TICKET_MB="2")
    err = refused("attachments.too_large", "big.txt", b"a" * (1024 * 1024 + 1))
    assert err.params == {"filename": "big.txt", "max_mb": 1}
    att.validate_upload("fits.txt", b"a" * (1024 * 1024))
    err = refused("attachments.ticket_too_large", "more.txt", b"a" * 100, already_in_ticket_bytes=2 * 1024 * 1024 - 50)
    assert err.params == {"filename": "more.txt", "max_mb": 2}


def test_default_limits_are_10_and_25_mb(env):
    settings = get_settings()
    assert settings.max_file_bytes == 10 * 1024 * 1024
    assert settings.max_ticket_bytes == 25 * 1024 * 1024


def test_batches_count_files_and_running_total(env):
    files = [(f"f{i}.txt", b"x") for i in range(att.MAX_FILES_PER_MESSAGE + 1)]
    with pytest.raises(ServiceError) as info:
        att.validate_uploads(files)
    assert info.value.code == "attachments.too_many"
    assert info.value.field == "attachments"
    assert info.value.params == {"max": 10}
    assert len(att.validate_uploads(files[:10])) == 10

    set_env(env, HELPDESK_MAX_TICKET_MB="1")
    half = b"a" * (512 * 1024)
    with pytest.raises(ServiceError) as info:
        att.validate_uploads([("a.txt", half), ("b.txt", half), ("c.txt", b"a")])
    assert info.value.code == "attachments.ticket_too_large"
    assert info.value.params["filename"] == "c.txt"


def test_zip_bombs_are_refused(env, monkeypatch):
    # 20 MB of zeros deflate to ~20 KB: a ratio no real attachment has.
    bomb = make_zip({"zeros.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    err = refused("attachments.archive_rejected", "logs.zip", bomb)
    assert err.params["filename"] == "logs.zip"

    # Many small members that add up: the declared total is checked too.
    monkeypatch.setattr(att, "ZIP_MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    many = make_zip({f"part{i}.bin": os.urandom(512 * 1024) for i in range(5)}, method=zipfile.ZIP_STORED)
    refused("attachments.archive_rejected", "parts.zip", many)

    refused("attachments.archive_rejected", "broken.zip", b"PK\x03\x04" + os.urandom(200))


def test_ordinary_compressible_zip_passes(env):
    rng = random.Random(7)
    log = "\n".join(f"2024-05-0{rng.randint(1, 9)} INFO request id={rng.getrandbits(64):x} ok" for _ in range(20000))
    vf = att.validate_upload("logs.zip", make_zip({"app.log": log.encode()}))
    assert vf.content_type == "application/zip"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\x.png", "x.png"),
        ("C:\\Users\\ana\\shot.png", "shot.png"),
        ("/abs/path/shot.png", "shot.png"),
        ("sh\x00ot.png", "shot.png"),
        ("a\nb\r\tc.png", "abc.png"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("..", "file"),
        ("...png", "png"),
        ("", "file"),
        (None, "file"),
        ('we"ird<>:|?*.png', "we_ird______.png"),
        ("  spaced   name .PNG ", "spaced name.png"),
    ],
)
def test_safe_filename(raw, expected):
    assert att.safe_filename(raw) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = att.safe_filename("x" * 400 + ".png")
    assert len(name) == 255 and name.endswith("xx.png")


def test_traversal_names_never_reach_the_store(env):
    vf = att.validate_upload("../../etc/passwd", b"root:x:0:0\n")
    assert vf.filename == "passwd.txt"
    vf = att.validate_upload("..\\x.png", png_bytes())
    assert vf.filename == "x.png"
    vf = att.validate_upload("evil\x00.png", png_bytes())
    assert vf.filename == "evil.png"
    root = get_settings().attachments_dir
    path = get_store().path_for(vf.sha256)
    assert path.parent.parent == root and path.name == vf.sha256


def test_inline_only_for_raster_images():
    for ct in ("image/png", "image/jpeg", "image/gif", "image/webp", "IMAGE/PNG"):
        assert att.is_inline_safe(ct)
    for ct in ("application/pdf", "image/svg+xml", "text/plain; charset=utf-8", "text/html", "video/mp4", "", None):
        assert not att.is_inline_safe(ct)
    assert att.DOWNLOAD_SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def test_store_round_trip(tmp_path):
    store = FileStore(tmp_path / "att")
    data = b"hello world"
    digest = store.put(data)
    assert digest == sha256_hex(data)
    assert store.path_for(digest) == tmp_path / "att" / digest[:2] / digest
    assert store.exists(digest) and store.read(digest) == data and store.size(digest) == len(data)
    with store.open(digest) as fh:
        assert fh.read() == data
    assert store.put(data) == digest  # same bytes, same blob
    assert [p.name for p in (tmp_path / "att" / digest[:2]).iterdir()] == [digest]  # no temp files left
    assert store.delete(digest) is True
    assert not store.exists(digest) and store.delete(digest) is False
    with pytest.raises(FileNotFoundError):
        store.read(digest)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "0" * 63, "0" * 64 + "/", "", None, "..\\" + "0" * 61])
def test_store_refuses_anything_but_a_digest(tmp_path, bad):
    store = FileStore(tmp_path)
    with pytest.raises(InvalidDigest):
        store.path_for(bad)
    with pytest.raises(InvalidDigest):
        store.read(bad)


def _user_and_ticket(s: Session, email: str, number: int) -> tuple[User, Ticket]:
    user = User(email=email, name=email.split("@")[0], password_hash="x")
    s.add(user)
    s.flush()
    ticket = Ticket(number=number, subject="S", category="consulta", requester_id=user.id)
    s.add(ticket)
    s.flush()
    return user, ticket


def test_store_validated_dedupes_bytes_and_adds_rows(db):
    with Session(db) as s:
        user, ticket = _user_and_ticket(s, "ana@example.com", 1001)
        vf = att.validate_upload("shot.png", png_bytes())
        a1 = att.store_validated(s, vf, ticket.id, None, user.id)
        a2 = att.store_validated(s, att.validate_upload("copy", png_bytes()), ticket.id, None, user.id)
        s.commit()
        assert a1.id != a2.id and a1.sha256 == a2.sha256
        assert (a1.filename, a2.filename) == ("shot.png", "copy.png")
        assert a1.content_type == "image/png" and a1.size == len(png_bytes())
        assert att.ticket_bytes_used(s, ticket.id) == 2 * len(png_bytes())
        assert att.ticket_bytes_used(s, 9999) == 0
        blobs = [p for p in get_settings().attachments_dir.rglob("*") if p.is_file()]
        assert [p.name for p in blobs] == [vf.sha256]
        assert get_store().read(vf.sha256) == png_bytes()

        assert att.delete_blob_if_unused(s, vf.sha256) is False
        for row in s.exec(select(Attachment)).all():
            s.delete(row)
        s.flush()
        assert att.delete_blob_if_unused(s, vf.sha256) is True
        assert not get_store().exists(vf.sha256)


def test_staged_files_never_sent_expire_within_hours_but_kept_mail_originals_stay(db):
    """Issue 13: anyone can stage files on the public forms, so unsent ones must not wait a day;
    the .eml kept for a received mail shares the store and is no orphan."""
    import time as _time

    from helpdesk.domain.inbound import InboundMail

    assert att.ORPHAN_GRACE <= timedelta(hours=2)
    with Session(db) as s:
        store = get_store()
        stale = att.stage(att.validate_upload("olvidado.txt", b"subido y olvidado\n")).sha256
        recent = att.stage(att.validate_upload("en-curso.txt", b"formulario abierto\n")).sha256
        eml = store.put(b"From: a@b.test\r\nSubject: hola\r\n\r\ncuerpo\r\n")
        s.add(InboundMail(dedupe_key="<m1@b.test>", eml_sha256=eml))
        s.commit()
        now = _time.time()
        for digest, age_h in ((stale, 2.5), (recent, 1.0), (eml, 30.0)):
            os.utime(store.path_for(digest), (now - age_h * 3600, now - age_h * 3600))

        assert att.sweep_orphan_blobs(s, now=now) == 1
        assert not store.exists(stale)
        assert store.exists(recent) and store.exists(eml)


def test_orphan_sweep_removes_only_old_unused_blobs(db):
    """Uploads never sent (a guest who gave up at the captcha) must not stay on disk forever."""
    import time as _time

    with Session(db) as s:
        user, ticket = _user_and_ticket(s, "eva@example.com", 1002)
        used = att.store_validated(s, att.validate_upload("usado.txt", b"en uso\n"), ticket.id, None, user.id).sha256
        s.commit()
        abandoned = att.stage(att.validate_upload("abandonado.txt", b"nunca enviado\n")).sha256
        fresh = att.stage(att.validate_upload("reciente.txt", b"recien subido\n")).sha256
        store = get_store()
        two_days_ago = _time.time() - 48 * 3600
        for digest in (used, abandoned, fresh):
            os.utime(store.path_for(digest), (two_days_ago, two_days_ago))
        # Staged again just now (same bytes in another form): the blob is fresh once more.
        att.stage(att.validate_upload("reciente.txt", b"recien subido\n"))
        (store.root / used[:2] / ".tmp-half-written").write_bytes(b"x")

        assert att.sweep_orphan_blobs(s) == 1
        assert not store.exists(abandoned)
        assert store.exists(used) and store.exists(fresh)
        assert att.sweep_orphan_blobs(s) == 0
        # A tab that kept the swept file staged gets a clear error, not a broken attachment.
        with pytest.raises(ServiceError) as err:
            att.attach_staged(s, att.StagedFile("abandonado.txt", "text/plain", 14, abandoned), ticket.id, None, user.id)
        assert err.value.code == "attachments.expired"


def test_browser_multipart_escapes_are_undone_before_cleaning_the_name():
    from helpdesk.web.components.upload import multipart_filename

    assert multipart_filename('%22informe%22 100%.pdf') == '"informe" 100%.pdf'
    assert att.safe_filename(multipart_filename('%22informe%22 100%.pdf')) == att.safe_filename('"informe" 100%.pdf')
    assert multipart_filename(None) == ""
