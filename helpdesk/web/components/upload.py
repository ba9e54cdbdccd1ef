"""Attachments picker shared by every form that sends files (new ticket, replies).

Files are uploaded as soon as they are chosen: each is validated by content (magic bytes, size,
ticket total) and its bytes stored by hash, while the form's State keeps only the metadata in a
private var. The form's own submit then attaches them. So a validation error on another field
never costs the user their files, and no file bytes live in the (pickled, per-tab) state.

Use: `class MyState(UploadMixin, AppState)`; override `_upload_allowed` and `_ticket_bytes_used`;
render `attachment_picker(MyState, "my-upload", "ticket-attachments")`; on submit call
`self._take_staged()` and pass the list to the ticket service.
"""

from __future__ import annotations

import secrets

import reflex as rx
from pydantic import BaseModel

from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import attachments, upload_guard
from helpdesk.services.errors import ServiceError
from helpdesk.web.components.ui import T, tid

MAX_FILES = attachments.MAX_FILES_PER_MESSAGE


class FileChip(BaseModel):
    key: str
    name: str
    size: str
    is_image: bool


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def multipart_filename(raw: str | None) -> str:
    """Browsers send `"`, CR and LF in a file name as %22, %0D and %0A (HTML's multipart
    encoding); undo just those, so "informe 100%.pdf" stays as typed."""
    return (raw or "").replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def admit_upload(state, vf: attachments.ValidatedFile) -> None:
    """Shared by every public upload handler (this mixin, the chat): identity from the
    server-side session, the client address as Reflex resolves it (trusted_proxy_hops)."""
    actor = state._actor()
    with session_scope() as s:
        upload_guard.admit(s, size=vf.size, ip=state._client_ip(), user_id=actor.id if actor else None,
                           filename=vf.filename)


class UploadMixin(rx.State, mixin=True):
    _staged: dict[str, attachments.StagedFile] = {}
    staged_files: list[FileChip] = []
    upload_error: str = ""
    upload_progress: int = 0
    uploading: bool = False

    # ---- hooks for the page
    def _upload_allowed(self) -> bool:
        return True

    def _ticket_bytes_used(self) -> int:
        return 0

    # ---- helpers
    def _admit_upload(self, vf: attachments.ValidatedFile) -> None:
        """Count the file against the caller's and the server's staging limits before its bytes
        are written (the upload route is public on /tickets/new): raises ServiceError."""
        admit_upload(self, vf)

    def _refresh_chips(self) -> None:
        self.staged_files = [
            FileChip(key=k, name=f.filename, size=human_size(f.size), is_image=f.content_type.startswith("image/"))
            for k, f in self._staged.items()
        ]

    def _take_staged(self) -> list[attachments.StagedFile]:
        files = list(self._staged.values())
        self._staged = {}
        self._refresh_chips()
        return files

    def _clear_uploads(self) -> None:
        self._staged = {}
        self.upload_error = ""
        self.upload_progress = 0
        self.uploading = False
        self._refresh_chips()

    # ---- events (no @rule here: each State that mixes this in names their rule with
    # `access.rules_for(...)`, since the new-ticket, ticket and agent pages differ)
    @rx.event
    def upload_progressed(self, progress: dict):
        try:
            value = float(progress.get("progress", 0))
        except (TypeError, ValueError, AttributeError):
            value = 0.0
        self.upload_progress = max(0, min(100, int(value * 100)))
        self.uploading = self.upload_progress < 100

    @rx.event
    async def receive_files(self, files: list[rx.UploadFile]):
        self.uploading = False
        self.upload_progress = 0
        self.upload_error = ""
        if not self._upload_allowed():
            return
        settings = get_settings()
        errors: list[str] = []
        used = self._ticket_bytes_used() + sum(f.size for f in self._staged.values())
        for upload in files:
            if len(self._staged) >= MAX_FILES:
                errors.append(self._tr("attachments.too_many", max=MAX_FILES))
                break
            # Never read more than one byte past the limit: the rest is refused anyway.
            data = await upload.read(settings.max_file_bytes + 1)
            try:
                vf = attachments.validate_upload(multipart_filename(upload.filename), data, already_in_ticket_bytes=used)
            except ServiceError as err:
                errors.append(self._error_text(err))
                continue
            try:
                self._admit_upload(vf)
            except ServiceError as err:
                errors.append(self._error_text(err))
                break  # the next file would be refused for the same reason
            staged = attachments.stage(vf)
            used += staged.size
            self._staged = {**self._staged, secrets.token_urlsafe(8): staged}
        self.upload_error = " ".join(errors)
        self._refresh_chips()

    @rx.event
    def remove_file(self, key: str):
        if key in self._staged:
            self._staged = {k: v for k, v in self._staged.items() if k != key}
            self._refresh_chips()


def attachment_picker(state: type[UploadMixin], upload_id: str, testid: str) -> rx.Component:
    """A drop zone (keyboard: Tab + Enter opens the file dialog), progress, errors and chips."""
    # react-dropzone's <input type=file> takes no props from us: name it once it exists, so
    # screen readers and axe know what it is (the visible drop zone text says the same).
    name_input = rx.call_script(
        f"document.querySelectorAll('#{upload_id} input[type=file]')"
        ".forEach(i => i.setAttribute('aria-label', 'Adjuntar archivos / Attach files'))"
    )
    return rx.vstack(
        rx.upload(
            rx.vstack(
                rx.icon("paperclip", size=20, color=rx.color("gray", 10), aria_hidden="true"),
                rx.text(T["upload.drop"], size="2", weight="medium"),
                rx.text(T["upload.limits"], size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
            id=upload_id,
            multiple=True,
            max_files=MAX_FILES,
            on_drop=state.receive_files(
                rx.upload_files(upload_id=upload_id, on_upload_progress=state.upload_progressed)
            ),
            class_name="hd-dropzone",
            padding="1rem",
            border="2px dashed var(--gray-a7)",
            custom_attrs=tid(testid),
            aria_label=T["upload.drop"],
            aria_describedby="attachments-error",
        ),
        rx.cond(state.uploading, rx.progress(value=state.upload_progress, max=100, width="100%", aria_label=T["upload.progress"])),
        rx.cond(
            state.upload_error != "",
            rx.text(state.upload_error, color_scheme="red", size="2", role="alert", id="attachments-error", custom_attrs=tid("field-error-attachments")),
        ),
        rx.cond(
            state.staged_files.length() > 0,
            rx.flex(
                rx.foreach(
                    state.staged_files,
                    lambda f: rx.badge(
                        rx.icon(rx.cond(f.is_image, "image", "file"), size=14, aria_hidden="true"),
                        rx.text(f.name, class_name="hd-chip-name"),
                        rx.text(f.size, color_scheme="gray", size="1"),
                        rx.icon_button(
                            rx.icon("x", size=12),
                            size="1",
                            variant="ghost",
                            type="button",
                            on_click=state.remove_file(f.key),
                            aria_label=T["upload.remove"],
                        ),
                        variant="surface",
                        size="2",
                        custom_attrs=tid("staged-file"),
                    ),
                ),
                wrap="wrap",
                gap="2",
            ),
        ),
        spacing="2",
        width="100%",
        on_mount=name_input,
    )
