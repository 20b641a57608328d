"""Where a tool's executable is: only through absolute paths, never through the current folder.

Why: the language server starts when an editor opens a folder, and checks the provider's tools at once
(`didOpen`). A PATH with `.` or an empty entry (both mean "the current folder"), or a relative one
such as `bin`, would then run a `docker` that a cloned repository committed, before the user did
anything. So, as Go's `exec.LookPath` does since Go 1.19: PATH is searched in order, and when the
first match is in a relative entry the lookup fails with an error saying so. It does not go on to a
later entry either: running a different program than the one the shell would run, silently, is no
fix; the user removes the relative entry. A configured tool path (the editor's `sindri.toolPaths`)
must be absolute after `~` expansion; a relative one is refused, and the tool is then unusable (not
looked up on PATH instead: the user asked for that one).
"""

from __future__ import annotations

import os
import shutil

from .errors import ProviderError, ToolNotFoundError

FIX_PATH = "remove '.', empty and other relative entries from PATH (they mean the current folder)"
FIX_SETTING = "set an absolute path (`~` is allowed) or remove the setting to use PATH"


class ToolRefusedError(ToolNotFoundError):
    """A tool was found only where a repository can put it (a relative path); it is not run."""

    def __init__(self, tool: str, message: str, *, hint: str) -> None:
        ProviderError.__init__(self, message, hint=hint)
        self.tool = tool


def find_tool(tool: str, path: str | None, configured: str | None = None) -> str:
    """The absolute path of `tool`: `configured` when given, else the first match on `path` (PATH).

    Raises ToolRefusedError when the answer would be a relative path, ToolNotFoundError when there is
    none. `path` None means the system default search path.
    """
    if configured:
        return _configured(tool, os.path.expanduser(configured))
    if os.sep in tool:
        if not os.path.isabs(tool):
            raise ToolRefusedError(tool, f"'{tool}' is a relative path and is not run", hint=FIX_SETTING)
        return _configured(tool, tool)
    for entry in (os.defpath if path is None else path).split(os.pathsep):
        found = shutil.which(tool, path=entry or os.curdir)
        if found is None:
            continue
        if not os.path.isabs(entry):
            shown = f"the relative PATH entry '{entry}'" if entry else "an empty PATH entry"
            raise ToolRefusedError(
                tool,
                f"'{tool}' was found through {shown} ({found}) and is not run: "
                "a program in the current folder may come from the repository",
                hint=FIX_PATH,
            )
        return found
    raise ToolNotFoundError(tool)


def which(tool: str) -> str | None:
    """`find_tool` on this process's PATH, None instead of an error (for a command line we only show)."""
    try:
        return find_tool(tool, os.environ.get("PATH"))
    except ToolNotFoundError:
        return None


def absolute_entries(path: str) -> str:
    """PATH without its relative entries, for the tools' own environment (their own lookups)."""
    return os.pathsep.join(entry for entry in path.split(os.pathsep) if os.path.isabs(entry))


def _configured(tool: str, configured: str) -> str:
    if not os.path.isabs(configured):
        raise ToolRefusedError(
            tool,
            f"the configured path for '{tool}' ('{configured}') is not absolute and is not run",
            hint=FIX_SETTING,
        )
    if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
        raise ToolNotFoundError(tool)
    return configured
