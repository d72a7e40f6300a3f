"""Actors for tests: who is acting decides what a service function may do (benchmark/auth.py)."""

from benchmark.auth import Actor, Role, authorise

ADMIN = Actor("test-admin", Role.ADMIN, "test")
ANALYST = Actor("test-analyst", Role.ANALYST, "test")
VIEWER = Actor("test-viewer", Role.VIEWER, "test")
SIGNED_OUT = Actor("", None, "public")


def permit(action: str = "upgrade"):
    """A write permit for tests that put rows in place by hand."""
    return authorise(ADMIN, action)

# Local accounts the page and browser tests sign in with (tests/conftest.py puts them in a demo copy).
PASSWORD = "correct horse battery staple"
PEOPLE = {"vera": "viewer", "anna": "analyst", "adam": "admin"}
