"""The server ends within its grace period after `exit`, whatever a cancelled task still waits for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

# A server object whose event loop never gives up (a task that outlives cancellation, as CPython's
# subprocess start can): only the deadline ends the process, with the LSP exit code.
BLOCKED = textwrap.dedent(
    """
    import time
    from sindri.server.lifetime import end_within_grace
    from sindri.server.server import SindriLanguageServer

    ls = SindriLanguageServer()
    ls.protocol._shutdown = {shutdown}
    end_within_grace(ls, grace=0.5)
    end_within_grace(ls, grace=60)  # a second call (exit after SIGTERM) keeps the first deadline
    time.sleep(30)
    """
)


def test_the_process_ends_at_the_deadline_with_the_lsp_exit_code() -> None:
    for shutdown, code in ((True, 0), (False, 1)):
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", BLOCKED.format(shutdown=shutdown)],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert done.returncode == code, done.stderr
        assert time.monotonic() - start < 15  # it did not sleep its 30 s
        assert "ending the process" in done.stderr
