"""Refusing an oversized trace upload while it streams, before Django spools it to memory or disk.

Django's own limits do not cover files: `DATA_UPLOAD_MAX_MEMORY_SIZE` counts form fields only, and a
file past `FILE_UPLOAD_MAX_MEMORY_SIZE` is written to a temporary file whatever its size. So trace
uploads get `TraceUploadLimit` as their first upload handler: a request whose Content-Length is over
`TRACE_MAX_BYTES` (plus room for the multipart envelope) is stopped when its file part begins, and a
file is stopped at the first chunk past the cap; either way the rest of the body is not read
(Django's `StopUpload(connection_reset=True)`). The view then answers 413 with `refusal(request)`.

The handler must be installed before anything reads the body: the API view does it in
`initialize_request`, the dashboard view before its CSRF check (which reads the form).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

#: Room in a request for the multipart boundaries, part headers and the form's small fields (the CSRF
#: token, the file name) around a file of `TRACE_MAX_BYTES`.
UPLOAD_ENVELOPE_BYTES = 64 * 1024
_REFUSAL = "trace_upload_refusal"


class TraceUploadLimit(FileUploadHandler):
    """Stops a trace upload past `TRACE_MAX_BYTES` as it streams; the reason is kept on the request."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit: int = settings.TRACE_MAX_BYTES
        self.declared_too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,  # type: ignore[override]  # django-stubs says str; MultiPartParser passes bytes
        encoding: Any = None,
    ) -> None:
        if content_length > self.limit + UPLOAD_ENVELOPE_BYTES:
            self.declared_too_large = True
            self._refuse(
                f"The upload has {content_length:,} bytes; traces up to {self.limit:,} bytes are accepted "
                "(TRACE_MAX_BYTES)."
            )
        # None: parse on, so the form fields before the file (the CSRF token) are still read.

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.declared_too_large:
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self._refuse(
                f"The file is larger than {self.limit:,} bytes; traces up to {self.limit:,} bytes are "
                "accepted (TRACE_MAX_BYTES)."
            )
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        return None  # the next handler (memory or temporary file) holds the file

    def _refuse(self, reason: str) -> None:
        if self.request is not None:
            setattr(self.request, _REFUSAL, reason)


def limit_trace_upload(request: HttpRequest) -> None:
    """Make `TraceUploadLimit` the request's first upload handler (before its body is read)."""
    request.upload_handlers.insert(0, TraceUploadLimit(request))


def refusal(request: HttpRequest) -> str | None:
    """Why the request's upload was stopped, or None."""
    return getattr(request, _REFUSAL, None)
