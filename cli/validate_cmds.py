"""`sindri validate` and `sindri schema`: the validation engine and the generated schema in the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from sindri.schemas.errors import ConfigError
from sindri.schemas.findings import Finding, Severity
from sindri.schemas.loader import find_config, shown_path
from sindri.schemas.validate import validate_text

from .terminal import echo

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def format_finding(path: str, finding: Finding) -> str:
    """Compiler style, 1-based: `path:line:col: severity code: message`."""
    start = finding.range.start
    where = f"{path}:{start.line + 1}:{start.character + 1}"
    return f"{where}: {finding.severity.label} {finding.code}: {finding.message}"


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Compiler-style lines, or a JSON list of findings (0-based positions, as in the LSP).",
)
def validate_cmd(files: tuple[Path, ...], fmt: str) -> None:
    """Check sindri.yaml files (default: the nearest sindri.yaml/sindri.yml upward from here).

    Exit status: 0 when no finding is an error, 1 when one is, 2 when a file cannot be read.
    """
    if not files:
        try:
            files = (find_config(Path.cwd()),)
        except ConfigError as exc:  # its hint names -c, which the lifecycle commands take
            echo(f"sindri validate: {exc.message}", err=True)
            echo("  fix: create one (see `sindri schema`) or name the file: sindri validate PATH", err=True)
            sys.exit(EXIT_USAGE)
    report: list[dict[str, Any]] = []
    errors = unreadable = 0
    for path in files:
        try:
            if path.exists() and not path.is_file():  # reading a FIFO or device would block forever
                raise IsADirectoryError(0, "not a regular file")
            data = path.read_bytes()
            result = validate_text(data, source_path=path, check_files=True)
        except OSError as exc:  # also a link loop or a name too long
            echo(f"sindri validate: cannot read {shown_path(path)}: {exc.strerror or exc}", err=True)
            unreadable += 1
            continue
        errors += sum(1 for f in result.findings if f.severity == Severity.ERROR)
        for finding in result.findings:
            if fmt == "json":
                report.append({"file": str(path), **finding.to_dict()})
            else:
                echo(format_finding(str(path), finding))
    if fmt == "json":
        echo(json.dumps(report, indent=2))
    elif not unreadable:
        checked = len(files)
        echo(
            f"{checked} file{'s' if checked != 1 else ''} checked: "
            f"{errors} error{'s' if errors != 1 else ''}",
            err=True,
        )
    sys.exit(EXIT_USAGE if unreadable else EXIT_ERRORS if errors else EXIT_OK)


@click.command("schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the JSON Schema to this file instead of printing it.",
)
def schema_cmd(output: Path | None) -> None:
    """Print (or write) the JSON Schema of sindri.yaml, for editors and other validators."""
    from sindri.schemas import generate

    if output is None:
        echo(generate.schema_text(), nl=False)
        return
    try:
        written = generate.write_schema(output)
    except OSError as exc:
        echo(f"sindri schema: cannot write {output}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    echo(f"wrote {written}", err=True)


def register(group: click.Group) -> None:
    """Attach this module's commands to the top-level group."""
    group.add_command(validate_cmd)
    group.add_command(schema_cmd)
