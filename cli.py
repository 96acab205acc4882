"""Command-line tasks: seed-demo, seed-synthetic, create-user, reindex (see `flask --help`)."""

import time

import click
from flask import Flask

from extensions import db
from models import Role
from services import search
from services.errors import DomainError
from services.seeding.demo import has_content, load_demo
from services.seeding.synthetic import seed_synthetic
from services.staff.accounts import create_user


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo articles, unless the database already has articles."""
    if has_content():
        click.echo("The database already has articles; demo content not loaded.")
        return
    count = load_demo()
    db.session.commit()
    click.echo(f"Loaded {count} demo articles.")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), required=True, help="Staff role."
)
@click.option("--name", default="", help="Name shown on reviewed pages.")
@click.option("--credentials", default="", help="E.g. 'MD, Hematology'.")
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
def create_user_command(email, role, name, credentials, password) -> None:
    """Create a staff account: admin, editor or reviewer."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email=email, role=Role(role), password=password, name=name, credentials=credentials
        )
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("seed-synthetic")
@click.argument("count", type=click.IntRange(1, 1_000_000))
def seed_synthetic_command(count: int) -> None:
    """Add COUNT synthetic articles (labelled as such) for load and scale tests."""
    started = time.perf_counter()
    first = seed_synthetic(count)
    db.session.commit()
    click.echo(
        f"Added synthetic articles {first}–{first + count - 1} "
        f"in {time.perf_counter() - started:.1f} s."
    )


@click.command("reindex")
def reindex() -> None:
    """Rebuild the search index from what the public may see."""
    started = time.perf_counter()
    count = search.rebuild()
    db.session.commit()
    click.echo(f"Indexed {count} articles in {time.perf_counter() - started:.1f} s.")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_synthetic_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(reindex)
