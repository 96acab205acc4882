import sqlalchemy as sa

from extensions import db
from models import Article, User


def test_seed_demo_loads_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert "Loaded 6 demo articles." in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "already has articles" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 6


def test_create_user_with_password(app, runner):
    result = runner.invoke(
        args=["create-user", "Ed@Example.org", "--role", "editor", "--password", "a" * 12]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "ed@example.org"))
    assert user.check_password("a" * 12)


def test_create_user_prompts_for_password(app, runner):
    result = runner.invoke(
        args=["create-user", "rev@example.org", "--role", "reviewer"],
        input="b" * 14 + "\n" + "b" * 14 + "\n",
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
    runner.invoke(args=["create-user", "y@example.org", "--role", "admin", "--password", "c" * 12])
    again = runner.invoke(
        args=["create-user", "y@example.org", "--role", "admin", "--password", "c" * 12]
    )
    assert again.exit_code != 0 and "already exists" in again.output
