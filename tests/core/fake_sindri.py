"""The real `sindri` CLI with the docker provider replaced by tests/core/fakeprov.py."""

from sindri.providers import factory

factory.PROVIDERS["docker"] = "fakeprov:FakeProvider"

from sindri.cli.main import main  # noqa: E402

main()
