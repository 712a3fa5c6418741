"""`decline-notifier` command line: one entry point for every process."""

import click

from agents.taxonomy.cli import classify, codes
from channels.templating.cli import templates
from streams.run_commands import COMMANDS


@click.group()
def main() -> None:
    """decline-notifier: failed card payments in, helpful messages out."""


# Sub-commands live next to the code they drive and are attached here, so this
# module stays a table of contents.
for _command in COMMANDS:
    main.add_command(_command)
main.add_command(classify)
main.add_command(codes)
main.add_command(templates)
