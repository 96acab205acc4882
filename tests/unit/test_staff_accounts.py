"""Administering staff accounts: links that work once, deactivation, the last administrator."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
from werkzeug.security import generate_password_hash

from app import create_app
from models import Role
from services.errors import DomainError
from services.staff import accounts, passwords
from services.staff.passwords import needs_rehash, password_problems
from services.validation import InvalidFields
from tests.conftest import SECRET_KEY, _test_config
from tests.factories import make_user

PASSWORD = "four unrelated words here"

LIFETIMES = {"remember_for": timedelta(days=14), "idle_for": timedelta(hours=12)}


@pytest.fixture
def admin(app):
    return make_user(role=Role.ADMIN, password=PASSWORD)


def test_a_new_account_waits_for_its_link_which_works_once(admin):
    user = accounts.create_user(email="New@Example.org", role=Role.EDITOR, name="Jo", actor=admin)
    assert user.email == "new@example.org" and not user.can_sign_in
    token = accounts.set_password_token(user, secret=SECRET_KEY)
    assert accounts.user_for_token(token, secret=SECRET_KEY) == user
    accounts.set_password(user, PASSWORD)
    assert user.can_sign_in and accounts.user_for_token(token, secret=SECRET_KEY) is None


def test_an_expired_link_does_not_work(admin, monkeypatch):
    user = accounts.create_user(email="n@example.org", role=Role.EDITOR, actor=admin)
    token = accounts.set_password_token(user, secret=SECRET_KEY)
    monkeypatch.setattr(accounts, "LINK_MAX_AGE", -1)
    assert accounts.user_for_token(token, secret=SECRET_KEY) is None


def test_a_short_name_does_not_rule_out_every_password_containing_it():
    assert password_problems("four unrelated words here", email="jo@example.org", name="Jo") == []
    assert password_problems("my name is joanna smith!", name="Joanna Smith") != []


def test_a_taken_email_is_refused_beside_the_email_field(admin):
    make_user(email="taken@example.org")
    with pytest.raises(InvalidFields) as refused:
        accounts.create_user(email="TAKEN@example.org", role=Role.EDITOR, actor=admin)
    assert "already exists" in refused.value.errors["email"]
    assert refused.value.status_code == 409


def test_reset_voids_the_password_the_sessions_and_older_links(admin):
    user = make_user(role=Role.EDITOR, password=PASSWORD)
    session_id, old_link = user.get_id(), accounts.set_password_token(user, secret=SECRET_KEY)
    token = accounts.reset_password(user, actor=admin, secret=SECRET_KEY)
    assert user.password_hash is None and accounts.user_for_session(session_id, **LIFETIMES) is None
    assert (
        accounts.user_for_token(old_link, secret=SECRET_KEY) is None
        and accounts.user_for_token(token, secret=SECRET_KEY) == user
    )


@pytest.mark.parametrize("which", ["demo", "inactive"])
def test_cannot_reset_an_account_that_cannot_sign_in(admin, which):
    user = make_user(role=Role.EDITOR, password=PASSWORD)
    if which == "demo":
        user.is_demo = True
    else:
        accounts.deactivate(user, actor=admin)
    with pytest.raises(DomainError):
        accounts.reset_password(user, actor=admin, secret=SECRET_KEY)


def test_deactivation_ends_sessions_and_reactivation_restores_the_old_password(admin):
    user = make_user(role=Role.REVIEWER, password=PASSWORD)
    session_id = user.get_id()
    accounts.deactivate(user, actor=admin)
    assert accounts.user_for_session(session_id, **LIFETIMES) is None
    assert accounts.authenticate(user.email, PASSWORD, secret=SECRET_KEY) is None
    accounts.reactivate(user, actor=admin)
    assert accounts.authenticate(user.email, PASSWORD, secret=SECRET_KEY) == user


def test_cannot_deactivate_oneself(admin):
    make_user(role=Role.ADMIN)
    with pytest.raises(DomainError, match="your own account"):
        accounts.deactivate(admin, actor=admin)


def test_cannot_remove_the_last_active_administrator(admin):
    other = make_user(role=Role.ADMIN)
    accounts.deactivate(other, actor=admin)
    with pytest.raises(InvalidFields) as refused:
        accounts.update_user(
            admin, actor=admin, name=admin.name, credentials="", email=admin.email, role=Role.EDITOR
        )
    assert "last active administrator" in refused.value.errors["role"]
    assert admin.role == Role.ADMIN
    accounts.reactivate(other, actor=admin)
    accounts.update_user(
        admin, actor=admin, name=admin.name, credentials="", email=admin.email, role=Role.EDITOR
    )
    assert admin.role == Role.EDITOR


def test_passwords_are_stored_as_argon2id(admin):
    user = accounts.create_user(email="hash@example.org", role=Role.EDITOR, actor=admin)
    accounts.set_password(user, PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_production_hashes_with_the_rfc_9106_low_memory_profile(app_factory):
    """The suite hashes with argon2's cheapest parameters (tests/conftest.py); the site itself
    hashes with RFC 9106's low-memory profile unless PASSWORD_HASH_PROFILE says otherwise."""
    config = dict(_test_config("sqlite://"))
    del config["PASSWORD_HASH_PROFILE"]
    try:
        create_app(config)
        params = argon2.extract_parameters(passwords.hash_password(PASSWORD))
        assert params == argon2.profiles.RFC_9106_LOW_MEMORY
        assert passwords.needs_rehash(
            argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST).hash(PASSWORD)
        )
    finally:
        passwords.use_profile(_test_config("sqlite://")["PASSWORD_HASH_PROFILE"])
    assert argon2.extract_parameters(passwords.hash_password(PASSWORD)) == argon2.profiles.CHEAPEST


def test_a_legacy_scrypt_hash_signs_in_once_and_is_upgraded_to_argon2id(admin):
    user = make_user(role=Role.EDITOR, email="legacy@example.org")
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    assert user.password_hash.startswith("scrypt:")
    assert (
        accounts.authenticate("legacy@example.org", "not the password", secret=SECRET_KEY) is None
    )
    assert user.password_hash.startswith("scrypt:")
    assert accounts.authenticate("legacy@example.org", PASSWORD, secret=SECRET_KEY) == user
    assert user.password_hash.startswith("$argon2id$") and not needs_rehash(user.password_hash)
    assert accounts.authenticate("legacy@example.org", PASSWORD, secret=SECRET_KEY) == user
