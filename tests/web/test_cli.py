import sqlalchemy as sa

from extensions import db
from models import Article, User
from services.staff.passwords import password_matches

STRONG = "plum-orbit-lantern-93"


def test_seed_demo_loads_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert "Loaded 6 demo articles." in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "already has articles" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 6


def test_create_user_with_password(app, runner):
    result = runner.invoke(
        args=["create-user", "Ed@Example.org", "--role", "editor", "--password", STRONG]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ed@example.org"))
    assert password_matches(user.password_hash, STRONG)


def test_create_user_prompts_for_password(app, runner):
    result = runner.invoke(
        args=["create-user", "rev@example.org", "--role", "reviewer"],
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(sa.select(User).where(User.email == "rev@example.org")).role.value
        == "reviewer"
    )


def test_create_user_refuses_short_password_and_duplicates(app, runner):
    short = runner.invoke(
        args=["create-user", "x@example.org", "--role", "admin", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 12" in short.output
    runner.invoke(args=["create-user", "y@example.org", "--role", "admin", "--password", STRONG])
    again = runner.invoke(
        args=["create-user", "y@example.org", "--role", "admin", "--password", STRONG]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_user_refuses_a_common_password(app, runner):
    result = runner.invoke(
        args=["create-user", "z@example.org", "--role", "editor", "--password", "password1234"]
    )
    assert result.exit_code != 0 and "most common passwords" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "z@example.org")) is None
