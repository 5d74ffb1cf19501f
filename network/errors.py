"""The exceptions of taihang.

Every error a user can cause is one of these; each also inherits the matching builtin so callers
that catch ``ValueError``/``LookupError`` keep working::

    NetworkModelError (Exception)
     ├── DataError (ValueError)            a curated data file or a cache is malformed
     ├── AssumptionError (ValueError)      an unknown or invalid assumption override
     ├── LookupFailed (LookupError)        a name or coordinate that matches nothing
     ├── YearError (ValueError)            a year outside the data's range
     ├── UnreachableError (LookupError)    no path between two points in the chosen modes
     ├── ScenarioError (ValueError)        a scenario file with problems (all of them, with lines)
     └── DownloadError (OSError)           OpenStreetMap could not be downloaded (offline, no data)

The command line prints ``str(err)`` on one line and exits with status 2.
"""

from __future__ import annotations


class NetworkModelError(Exception):
    """Base class of taihang's errors."""


class DataError(NetworkModelError, ValueError):
    """A data file is malformed: the message names the file, the row or field, and the fix."""


class AssumptionError(NetworkModelError, ValueError):
    """An assumption override names an unknown constant or gives a bad value."""


class LookupFailed(NetworkModelError, LookupError):
    """A place, station or airport name (or a coordinate) that matches nothing."""


class YearError(NetworkModelError, ValueError):
    """A year before the earliest year the network describes."""


class UnreachableError(NetworkModelError, LookupError):
    """No path exists between the two points with the modes allowed."""


class ScenarioError(NetworkModelError, ValueError):
    """A scenario file (or a set of them) has problems; ``problems`` lists every one, each as
    ``file:line: field: what was expected (found ...)``."""

    #: Problems shown in the message (all are kept in :attr:`problems`).
    MAX_SHOWN = 20

    def __init__(self, problems: list[str], kind: str = "scenario"):
        self.problems = list(problems) or [f"unknown {kind} problem"]
        n = len(self.problems)
        head = f"{n} problem{'s' if n > 1 else ''} in {kind} file(s):"
        super().__init__(head + "\n" + "\n".join(shown_problems(self.problems, self.MAX_SHOWN)))


def shown_problems(problems: list[str], cap: int = 20) -> list[str]:
    """The first ``cap`` problems, and a last line saying how many more there are."""
    more = len(problems) - cap
    return problems[:cap] + ([f"… and {more:,} more problem(s) (fix these first)"] if more > 0 else [])


class DownloadError(NetworkModelError, OSError):
    """OpenStreetMap data could not be downloaded; the message says why and how to build from a file."""
