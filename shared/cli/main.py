"""The `antrean` command: the group and its entry point. The commands live by group in this package:
``server`` (serve, init-db), ``catalogue``, ``accounts`` (demo, token), ``agents`` (speaker-agent,
print-agent) and ``data`` (backup, restore, purge, copy-db)."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        # gevent must patch the standard library before the app's modules import it.
        from gevent import monkey

        monkey.patch_all()
    cli(args=argv, prog_name="antrean")


import click  # noqa: E402

from antrean.shared.cli import accounts, agents, catalogue, data, server  # noqa: E402


@click.group()
def cli() -> None:
    """Antrean: queue, display and SOP workflow for a kecamatan service desk."""


for command in (server.serve, server.init_db, catalogue.catalogue, catalogue.catalogue_import, accounts.demo,
                accounts.token, agents.speaker_agent, agents.print_agent, data.backup, data.restore, data.purge,
                data.copy_db):
    cli.add_command(command)


if __name__ == "__main__":
    main()
