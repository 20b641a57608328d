"""Adds other CPython versions' compiled modules to a `pip install --target` folder (for the .vsix).

pip installs the compiled modules of the Python that runs it. A module's file name carries its ABI
(`_pydantic_core.cpython-312-x86_64-linux-gnu.so`), so the same package folder can hold one per
Python: this downloads the same release's wheel for each other version and copies its modules in.
Usage: bundle_abis.py LIBS 3.12 3.13
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path


def compiled_distributions(libs: Path) -> dict[str, str]:
    """name -> version of each installed distribution with a version-specific compiled module."""
    found: dict[str, str] = {}
    for record in libs.glob("*.dist-info/RECORD"):
        files = [line.split(",", 1)[0] for line in record.read_text().splitlines()]
        if any(".cpython-" in f and f.endswith(".so") for f in files):
            name, version = record.parent.name.removesuffix(".dist-info").rsplit("-", 1)
            found[name] = version
    return found


def add_abi(libs: Path, name: str, version: str, python: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                python,
                "--implementation",
                "cp",
                "--platform",
                "manylinux2014_x86_64",
                "--platform",
                "manylinux_2_17_x86_64",
                "--platform",
                "manylinux_2_28_x86_64",
                "-d",
                tmp,
                f"{name}=={version}",
            ],
            check=True,
            timeout=300,
        )
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if ".cpython-" in member and member.endswith(".so"):
                        target = libs / member
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.read(member))
                        print(f"bundled {member}")


def main() -> None:
    libs, pythons = Path(sys.argv[1]), sys.argv[2:]
    if not pythons:
        return
    for name, version in compiled_distributions(libs).items():
        for python in pythons:
            add_abi(libs, name, version, python)


if __name__ == "__main__":
    main()
