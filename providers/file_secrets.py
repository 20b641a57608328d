"""Putting `file` secrets into an environment that has no mount for them (DevPod, E2B).

Why base64 on stdin: the content never appears in argv (visible in `ps`) or in a file on this machine,
a binary file survives the trip, and a POSIX shell with `base64` is all the environment needs.
"""

from __future__ import annotations

import shlex

from sindri.schemas.secret_values import FileSecret


def install_script(secret: FileSecret) -> str:
    """A `sh -c` script that writes base64 from stdin to the secret's path with its permissions.

    umask 077 first: the file is never readable by others, even between its creation and the chmod.
    """
    path = shlex.quote(secret.mount_path)
    return (
        f'umask 077 && mkdir -p "$(dirname {path})" && base64 -d > {path} && chmod {secret.mode:04o} {path}'
    )
