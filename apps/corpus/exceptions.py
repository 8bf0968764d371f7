"""The corpus's refusals, all `apps.core.errors.ServiceError`s (the API answers each with its status).

They live apart from the services so that other apps (scoring accepts a candidate into a segment) can
catch them without importing the corpus services.
"""

from apps.core.errors import Conflict, ServiceError
from apps.core.imports import FileRefused


class StaleVersion(Conflict):
    """The segment was saved by someone else since `expected` (409); `current` is what is stored now,
    so the editor and the API can show both texts for the author to merge."""

    def __init__(self, *, current, expected: int):
        self.current = current
        self.expected = expected
        editor = current.last_edited_by.username if current.last_edited_by else "someone"
        super().__init__(
            f"This segment was changed since you opened it (you had version {expected}; it is now version "
            f"{current.version}, last edited by {editor}). Your text was not saved: compare both versions, "
            "then save again from the current version."
        )


class ImportProblems(ServiceError):
    """The file was checked and refused (400); `batch.report` lists the problems. Nothing was written."""

    def __init__(self, batch, message: str):
        self.batch = batch
        super().__init__(message)


class ImportNotAwaiting(Conflict):
    """A previewed import was already confirmed or cancelled (409); nothing changes."""


class FileRejected(FileRefused):
    """The corpus file as a whole cannot be read (400): unknown format, missing column, broken quoting,
    no data rows. `line` names the physical line when there is one."""
