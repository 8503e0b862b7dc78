"""`antrean demo` and `antrean token`: demo lokets and accounts, and device tokens."""
from __future__ import annotations

import click

from antrean.shared.cli.common import configured_sessions


@click.command()
def demo() -> None:
    """Create demo lokets and one user per role; print each new password once."""
    from antrean.shared.services.demo import create_demo

    made = create_demo(configured_sessions())
    if not made:
        click.echo("demo users already exist; nothing created")
        return
    click.echo("Demo accounts (passwords are shown only now):")
    for username, password, roles in made:
        click.echo(f"  {username:<12} {password:<16} {', '.join(roles)}")


@click.group()
def token() -> None:
    """Device tokens for print agents, speaker agents, kiosks, call buttons and scripts."""


@token.command("create")
@click.option("--name", required=True, help="A name for the device, e.g. kiosk-1 or loket-2-button.")
@click.option("--kind", type=click.Choice(["api", "print_agent", "speaker_agent", "kiosk"]), required=True,
              help="kiosk: the kiosk key, opened once as /kiosk/?key=... (docs/printing.md).")
@click.option("--user", "username", default=None, help="The user an api token acts for (its roles apply).")
def token_create(name: str, kind: str, username: str | None) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from antrean.shared.services.tokens import create_token

    try:
        value = create_token(configured_sessions(), name, kind, username)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(value)


@token.command("list")
def token_list() -> None:
    """The devices with a token (never the tokens)."""
    from antrean.shared.services.print_queue import list_tokens

    for t in list_tokens(configured_sessions()):
        seen = f"{t['last_seen_at']:%Y-%m-%d %H:%M} UTC" if t["last_seen_at"] else "never"
        click.echo(f"{t['name']:<20} {t['kind']:<14} {'active' if t['active'] else 'revoked':<8} last seen {seen}")


@token.command("revoke")
@click.argument("name")
def token_revoke(name: str) -> None:
    """Delete a device's token: the device is refused from its next connection on."""
    from antrean.shared.services.print_queue import revoke_token

    if not revoke_token(configured_sessions(), name):
        raise click.ClickException(f"no device named {name!r}")
    click.echo(f"revoked {name!r}")
