"""`decline-notifier classify` and `decline-notifier codes`: the taxonomy from a shell."""

import json
from pathlib import Path

import click

from agents.taxonomy.classify import GATEWAYS, load_tables
from agents.taxonomy.classify import classify as classify_decline
from agents.taxonomy.unknown_codes import DEFAULT_PATH, read_unknown


@click.command()
@click.option("--gateway", required=True, type=click.Choice([*GATEWAYS], case_sensitive=False))
@click.option("--code", default=None, help="Gateway decline code (may be composed: code|iso:05).")
@click.option(
    "--advice-code", default=None, help="Stripe advice code, Mastercard MAC or Visa category."
)
@click.option("--network", default=None, type=click.Choice(["visa", "mastercard"]))
def classify(gateway: str, code: str | None, advice_code: str | None, network: str | None) -> None:
    """Print how one decline is classified, as one JSON object."""
    result = classify_decline(gateway, code, advice_code, network)
    click.echo(json.dumps(result.as_dict(), sort_keys=True))


@click.command()
@click.option("--unknown", is_flag=True, help="List unknown codes seen by the workers.")
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PATH,
    show_default=True,
    help="Unknown-codes file written by the workers.",
)
@click.option("--gateway", default=None, type=click.Choice([*GATEWAYS], case_sensitive=False))
def codes(unknown: bool, path: Path, gateway: str | None) -> None:
    """List the known codes per gateway, or (--unknown) the unknown ones seen, with counts."""
    if unknown:
        rows = [r for r in read_unknown(path) if gateway is None or r["gateway"] == gateway]
        click.echo(json.dumps({"unknown": rows}, sort_keys=True))
        return
    tables = load_tables()
    names = [gateway.lower()] if gateway else list(GATEWAYS)
    out = {
        g: {code: row.category.value for code, row in tables.gateways[g].codes.items()}
        for g in names
    }
    click.echo(json.dumps({"codes": out}, sort_keys=True))
