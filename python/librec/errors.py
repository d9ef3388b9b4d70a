"""Exceptions for the REC_E* status codes of the C library.

Every failing librec call raises a subclass of LibrecError chosen by its
status; the message is the library's rec_last_error() detail. Where a
built-in exception has the same meaning the class derives from it too, so
`except ValueError` catches an invalid argument and `except OSError` an I/O
failure.
"""


class LibrecError(Exception):
    """A librec call failed.

    Attributes: `code` (the negative REC_E* status), `function` (the C
    function that failed) and `status` (rec_strerror()'s name of the code).
    """

    code = None

    def __init__(self, message, code=None, function=None, status=None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.function = function
        self.status = status


class InvalidArgument(LibrecError, ValueError):
    """REC_EINVAL: NULL, out of range, inconsistent options, a dataset of
    another id space, training that diverged."""
    code = -1


class NoMemory(LibrecError, MemoryError):
    """REC_ENOMEM: an allocation failed."""
    code = -2


class IOError(LibrecError, OSError):  # noqa: A001 (librec.IOError, by design)
    """REC_EIO: a file could not be opened, read, written or renamed."""
    code = -3


class FormatError(LibrecError, ValueError):
    """REC_EFORMAT: malformed input data (the message names file, line, field)."""
    code = -4


class Corrupt(LibrecError):
    """REC_ECORRUPT: a model file failed validation."""
    code = -5


class VersionError(LibrecError):
    """REC_EVERSION: a model file needs a newer library."""
    code = -6


class NotFound(LibrecError, LookupError):
    """REC_ENOTFOUND: unknown user, item, parameter, measure or model family."""
    code = -7


class Unsupported(LibrecError):
    """REC_EUNSUPPORTED: not available for this model or this build."""
    code = -8


class Canceled(LibrecError):
    """REC_ECANCELED: the progress callback stopped training."""
    code = -9


class LimitExceeded(LibrecError):
    """REC_ELIMIT: a count or size beyond what librec supports."""
    code = -10


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgument, NoMemory, IOError, FormatError, Corrupt, VersionError,
    NotFound, Unsupported, Canceled, LimitExceeded)}


def from_status(code, message, function=None, status=None):
    """The exception for a non-zero status (LibrecError for unknown codes)."""
    cls = _BY_CODE.get(code, LibrecError)
    return cls(message, code, function, status)
