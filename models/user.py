"""Staff accounts: editors, reviewers (the Medical Advisory Board) and admins."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import Role, enum_column, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # argon2id (services/staff/passwords.py); NULL for demo personas and for new staff who have not
    # used their set-password link yet.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The "Which best describes you?" role a signed-in staff member last chose.
    audience_role: Mapped[str | None] = mapped_column(String(20))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Deactivated staff cannot sign in; their name stays on what they wrote and approved.
    is_active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Part of the session id: raising it signs the user out everywhere (new password, deactivation)
    # and makes every set-password link issued before it useless.
    session_epoch: Mapped[int] = mapped_column(default=0)
    # Who made this account, and who issued the set-password link its current password came
    # through (the user themself when they changed it signed in). Four eyes: nobody approves work
    # through an account they made or keyed (services/staff/permissions.py `independence`).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    password_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The server-side session (models/session.py) this request is signed in through: set by
    # sign-in and by the session loader (services/staff/sessions.py), never stored on the row.
    signed_in_session = None

    def get_id(self) -> str:
        """Flask-Login's session id: the user, their epoch (so a new password or deactivation
        ends every session) and the server-side session (so signing out ends this one)."""
        key = self.signed_in_session.id if self.signed_in_session is not None else ""
        return f"{self.id}.{self.session_epoch}.{key}"

    @property
    def can_sign_in(self) -> bool:
        return self.is_active and not self.is_demo and self.password_hash is not None

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
