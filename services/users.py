"""Staff accounts."""

import sqlalchemy as sa

from extensions import db
from models import Role, User
from services.errors import DomainError

MIN_PASSWORD = 12


def create_user(*, email: str, role: Role, password: str, name: str = "", credentials: str = ""):
    """A staff account with a hashed password.

    :raises DomainError: the email is taken or the password is too short.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise DomainError(f"{email!r} is not an email address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DomainError(f"A user with the email {email} already exists.")
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Passwords need at least {MIN_PASSWORD} characters.")
    user = User(email=email, role=role, name=name or email.split("@")[0], credentials=credentials)
    user.set_password(password)
    db.session.add(user)
    return user
