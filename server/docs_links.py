"""The documentation links `sindri.openDocs` may open: only those the server itself produced.

Why: the command asks the client to open a URI (`window/showDocument`, external). Any argument would
let whoever can send a command (a task, another extension, a crafted code action) open an arbitrary
URI through us. Ours are each finding code's explanation (`doc_url`, in schemas/findings.md) and the
install documentation a prerequisite check offered in a quick fix; both come from our code, never from
the document.
"""

from __future__ import annotations

from sindri.schemas.findings import CODES, doc_url

_OURS = frozenset(doc_url(code) for code in CODES)
_offered: set[str] = set()
"""Install documentation links offered in quick fixes: a handful of constants of the providers."""


def offer(url: str) -> str:
    """Remember a link a quick fix carries (so the command it triggers may open it); return it."""
    _offered.add(url)
    return url


def is_ours(url: object) -> bool:
    return isinstance(url, str) and (url in _OURS or url in _offered)
