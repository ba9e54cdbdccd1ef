"""Attachment checks and storage.

The type of a file is decided by its bytes (magic numbers via `filetype`, plus a small sniff
for plain text), never by the name or the browser's Content-Type: both come from the client.
The name is only a label shown to people; the bytes are stored by hash (infra/storage.py).

No thumbnails are made (no imaging library is installed): the UI shows inline-safe images
themselves, scaled down with CSS.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Sequence

import filetype
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain.inbound import InboundMail
from helpdesk.domain.tickets import Attachment
from helpdesk.infra.settings import get_settings
from helpdesk.infra.storage import get_store, sha256_hex
from helpdesk.services.errors import ServiceError

FIELD = "attachments"
MAX_FILES_PER_MESSAGE = 10
MAX_FILENAME_CHARS = 255

# Zip bombs: refuse archives that claim to unpack to far more than anyone attaches to a
# ticket, or whose members shrink by an implausible factor (real logs rarely pass 30x).
ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_BYTES = 1024 * 1024  # tiny members may compress absurdly well, harmlessly
ZIP_MAX_MEMBERS = 5000

# Detected MIME -> (stored content type, canonical extension, extensions that may claim it).
_BINARY_KINDS: dict[str, tuple[str, str, frozenset[str]]] = {
    "image/png": ("image/png", "png", frozenset({"png"})),
    "image/apng": ("image/png", "png", frozenset({"png", "apng"})),
    "image/jpeg": ("image/jpeg", "jpg", frozenset({"jpg", "jpeg", "jpe", "jfif"})),
    "image/gif": ("image/gif", "gif", frozenset({"gif"})),
    "image/webp": ("image/webp", "webp", frozenset({"webp"})),
    "application/pdf": ("application/pdf", "pdf", frozenset({"pdf"})),
    "application/zip": ("application/zip", "zip", frozenset({"zip"})),
    "video/mp4": ("video/mp4", "mp4", frozenset({"mp4", "m4v"})),
    "video/x-m4v": ("video/mp4", "m4v", frozenset({"mp4", "m4v"})),
    "video/webm": ("video/webm", "webm", frozenset({"webm"})),
    "video/quicktime": ("video/quicktime", "mov", frozenset({"mov", "qt"})),
}
_TEXT_KINDS: dict[str, str] = {"txt": "text/plain", "log": "text/plain", "csv": "text/csv"}
_ALLOWED_BINARY_EXTS = frozenset().union(*(exts for _, _, exts in _BINARY_KINDS.values()))

# Shown inline in the browser; everything else is served with "Content-Disposition:
# attachment". Raster images cannot run script; PDFs and videos go through plug-in viewers
# we do not control, so they are downloaded.
INLINE_SAFE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# Sent with every download, so that a file that slips through still cannot run script in
# our origin and is never re-interpreted by content sniffing.
DOWNLOAD_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Markup openings browsers sniff as HTML/SVG (WHATWG MIME sniffing). A ".txt" starting
# like this is refused so it can never be rendered as a page, whatever a proxy does.
_MARKUP_PREFIXES = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a ", b"<style", b"<title", b"<b>", b"<body", b"<br", b"<p>",
    b"<!--", b"<?xml", b"<svg",
)
# Bytes that no text file contains. \t \n \f \r and ESC (colour codes in logs) are allowed.
_BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_UNSAFE_NAME_CHARS = re.compile(r'[\\/:*?"<>|]')
_EXT_RE = re.compile(r"^[a-z0-9]{1,10}$")


@dataclass(frozen=True)
class ValidatedFile:
    filename: str  # safe display name, extension matching the real type
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)

    @property
    def inline_safe(self) -> bool:
        return is_inline_safe(self.content_type)


def is_inline_safe(content_type: str) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in INLINE_SAFE_TYPES


def _mb(n_bytes: int) -> int:
    return max(1, n_bytes // (1024 * 1024))


def safe_filename(raw: str | None) -> str:
    """A display name with no directories, control or bidi characters, at most 255 chars."""
    name = unicodedata.normalize("NFC", raw or "")
    # Category C covers controls, NULs and invisible format characters such as U+202E,
    # which can make "gnp.exe" display as "exe.png".
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = posixpath.basename(name.replace("\\", "/"))
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = " ".join(name.split())
    name = name.strip(". ")  # no hidden files, no "..", no trailing dots (Windows)
    if not name:
        name = "file"
    stem, ext = split_ext(name)
    if ext:
        ext_part = "." + ext
        stem = stem[: MAX_FILENAME_CHARS - len(ext_part)].rstrip(". ") or "file"
        return stem + ext_part
    return name[:MAX_FILENAME_CHARS]


def split_ext(name: str) -> tuple[str, str]:
    """(stem, lowercase extension or ""); odd extensions count as none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    ext = ext.lower()
    if not _EXT_RE.match(ext):
        return name, ""
    return stem, ext


def _text_charset(data: bytes) -> str | None:
    if _BINARY_CONTROL.search(data):
        return None
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Latin-1 decodes any byte; the control-byte check above is what rules out binaries.
    return "iso-8859-1"


def _looks_like_markup(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    return head.startswith(_MARKUP_PREFIXES)


def _zip_is_acceptable(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return False
    if len(members) > ZIP_MAX_MEMBERS:
        return False
    total = 0
    for info in members:
        total += info.file_size
        if total > ZIP_MAX_UNCOMPRESSED:
            return False
        if info.file_size >= ZIP_RATIO_MIN_BYTES:
            if info.file_size > ZIP_MAX_RATIO * max(1, info.compress_size):
                return False
    return total < ZIP_RATIO_MIN_BYTES or total <= ZIP_MAX_RATIO * max(1, len(data))


def _error(code: str, filename: str, **params: object) -> ServiceError:
    return ServiceError(code, field=FIELD, filename=filename, **params)


def validate_upload(filename: str, data: bytes, *, already_in_ticket_bytes: int = 0) -> ValidatedFile:
    """Check one uploaded file. Raises ServiceError (field "attachments") when refused."""
    settings = get_settings()
    name = safe_filename(filename)
    size = len(data)
    if size == 0:
        raise _error("attachments.empty", name)
    if size > settings.max_file_bytes:
        raise _error("attachments.too_large", name, max_mb=_mb(settings.max_file_bytes))
    if already_in_ticket_bytes + size > settings.max_ticket_bytes:
        raise _error("attachments.ticket_too_large", name, max_mb=_mb(settings.max_ticket_bytes))

    stem, claimed = split_ext(name)
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime not in _BINARY_KINDS:
            # Executables, other archives, office files...: refused whatever the name says.
            raise _error("attachments.type_not_allowed", name)
        content_type, canonical, exts = _BINARY_KINDS[kind.mime]
        if claimed and claimed not in exts:
            if claimed in _ALLOWED_BINARY_EXTS or claimed in _TEXT_KINDS:
                raise _error("attachments.type_mismatch", name)
            raise _error("attachments.type_not_allowed", name)
        if content_type == "application/zip" and not _zip_is_acceptable(data):
            raise _error("attachments.archive_rejected", name)
        if not claimed:
            name = safe_filename(f"{stem}.{canonical}")
        return ValidatedFile(name, content_type, size, sha256_hex(data), data)

    if claimed in _ALLOWED_BINARY_EXTS:
        # Says it is a PNG/PDF/... but the bytes are not: a renamed file.
        raise _error("attachments.type_mismatch", name)
    if claimed and claimed not in _TEXT_KINDS:
        raise _error("attachments.type_not_allowed", name)
    charset = _text_charset(data)
    if charset is None or _looks_like_markup(data):
        raise _error("attachments.type_not_allowed", name)
    if not claimed:
        claimed = "txt"
        name = safe_filename(f"{stem}.txt")
    content_type = f"{_TEXT_KINDS[claimed]}; charset={charset}"
    return ValidatedFile(name, content_type, size, sha256_hex(data), data)


def validate_uploads(
    files: Sequence[tuple[str, bytes]], *, already_in_ticket_bytes: int = 0
) -> list[ValidatedFile]:
    """Check the files of one message together: count, each file, and the ticket total."""
    if len(files) > MAX_FILES_PER_MESSAGE:
        raise ServiceError("attachments.too_many", field=FIELD, max=MAX_FILES_PER_MESSAGE)
    result: list[ValidatedFile] = []
    used = already_in_ticket_bytes
    for filename, data in files:
        vf = validate_upload(filename, data, already_in_ticket_bytes=used)
        used += vf.size
        result.append(vf)
    return result


def ticket_bytes_used(session: Session, ticket_id: int) -> int:
    """Bytes already attached to a ticket: pass it as `already_in_ticket_bytes`."""
    total = session.exec(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.ticket_id == ticket_id)
    ).one()
    return int(total)


def store_validated(
    session: Session,
    vf: ValidatedFile,
    ticket_id: int,
    message_id: int | None,
    uploaded_by_id: int | None,
) -> Attachment:
    """Write the bytes (once per distinct content) and add the row in the caller's transaction.

    If the transaction is rolled back the blob stays on disk unreferenced; it is harmless and
    `delete_blob_if_unused` can remove it.
    """
    digest = get_store().put(vf.data)
    attachment = Attachment(
        ticket_id=ticket_id,
        message_id=message_id,
        filename=vf.filename,
        content_type=vf.content_type,
        size=vf.size,
        sha256=digest,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def delete_blob_if_unused(session: Session, digest: str) -> bool:
    """Remove stored bytes once no attachment row points at them (after deleting rows)."""
    in_use = session.exec(select(func.count()).select_from(Attachment).where(Attachment.sha256 == digest)).one()
    if in_use:
        return False
    return get_store().delete(digest)


@dataclass(frozen=True)
class StagedFile:
    """A validated upload whose bytes are already in the store, waiting for its message.

    Forms upload files as soon as they are chosen; only this small record is kept until the
    form is sent, so a validation error elsewhere never costs the user their attachments.
    """

    filename: str
    content_type: str
    size: int
    sha256: str


def stage(vf: ValidatedFile) -> StagedFile:
    digest = get_store().put(vf.data)
    return StagedFile(vf.filename, vf.content_type, vf.size, digest)


def attach_staged(
    session: Session, staged: StagedFile, ticket_id: int, message_id: int | None, uploaded_by_id: int | None
) -> Attachment:
    if not get_store().exists(staged.sha256):
        raise ServiceError("attachments.expired", field=FIELD, filename=staged.filename)
    attachment = Attachment(
        ticket_id=ticket_id,
        message_id=message_id,
        filename=staged.filename,
        content_type=staged.content_type,
        size=staged.size,
        sha256=staged.sha256,
        uploaded_by_id=uploaded_by_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


# Staged files wait in a browser tab's state until its form is sent. Anyone can stage files
# on the public forms (issue 13: disk filling), so they expire soon: two hours is longer than
# a form usually stays open, and attach_staged says "expired" (attach again) if it does.
ORPHAN_GRACE = timedelta(hours=2)
_SWEEP_BATCH = 500


def sweep_orphan_blobs(session: Session, *, grace: timedelta = ORPHAN_GRACE, now: float | None = None) -> int:
    """Delete stored bytes that no attachment uses and nobody stored within `grace`.

    They come from uploads that were never sent (a guest who gave up at the captcha, a closed
    tab) and from transactions rolled back after the bytes were written. Returns how many.
    """
    store = get_store()
    cutoff = (time.time() if now is None else now) - grace.total_seconds()
    old = [digest for digest, stored_at in store.blobs() if stored_at < cutoff]
    removed = 0
    for i in range(0, len(old), _SWEEP_BATCH):
        batch = old[i : i + _SWEEP_BATCH]
        used = set(session.exec(select(Attachment.sha256).where(Attachment.sha256.in_(batch))).all())
        # Kept originals of received mails share the store (agents' "show original").
        used |= set(session.exec(select(InboundMail.eml_sha256).where(InboundMail.eml_sha256.in_(batch))).all())
        for digest in batch:
            if digest not in used and store.delete(digest):
                removed += 1
    return removed


def run_orphan_sweep() -> int:
    """For helpdesk/jobs.py."""
    from helpdesk.infra.db import session_scope

    with session_scope() as s:
        return sweep_orphan_blobs(s)

