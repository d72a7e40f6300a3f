"""The access file: strict reading, roles by address and domain, and when a deployment must not start."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from benchmark import access
from benchmark.access import AccessConfig, AccessFileError, deployment_problems, parse_access, role_for_email
from benchmark.auth import Role

REPO = Path(__file__).resolve().parents[2]
GOOD_SECRETS = {"auth": {
    "redirect_uri": "https://benchmark.region.example/oauth2callback",
    "cookie_secret": "9f1c2e7a4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a6c8e0b2d",
    "client_id": "benchmark-dashboard",
    "client_secret": "s3cr3t-from-the-identity-provider",
    "server_metadata_url": "https://login.region.example/.well-known/openid-configuration",
}}


def test_without_a_file_browsing_is_public_and_sign_in_is_local(tmp_path):
    config = access.load_access(tmp_path / "absent.toml")
    assert config == AccessConfig()
    assert config.open_pages() == ("watch", "ranking", "profile", "present")
    assert config.pages_for(None) == ("watch", "ranking", "profile", "present")
    assert config.pages_for(Role.VIEWER) == ("watch", "ranking", "profile", "present")
    assert config.pages_for(Role.ANALYST) == ("watch", "ranking", "profile", "present", "upload")
    assert config.pages_for(Role.ADMIN) == ("watch", "ranking", "profile", "present", "upload", "admin")


def test_a_private_dashboard_opens_nothing_without_sign_in():
    config = parse_access({"mode": "private"})
    assert config.private and config.open_pages() == () and config.pages_for(None) == ()
    assert config.pages_for(Role.VIEWER) == ("watch", "ranking", "profile", "present")


def test_the_committed_example_is_valid_and_means_what_it_says():
    config = parse_access(tomllib.loads((REPO / "access.example.toml").read_text(encoding="utf-8")))
    assert role_for_email(config, "Kommunikationschef@REGION.example") is Role.ADMIN  # the address wins
    assert role_for_email(config, "anna@region.example") is Role.ANALYST  # then the domain
    assert role_for_email(config, "former.colleague@region.example") is None  # `none` shuts one address out
    assert role_for_email(config, "bo@kommun.example") is Role.VIEWER
    assert role_for_email(config, "someone@elsewhere.example") is None  # default_role none


@pytest.mark.parametrize("raw, named", [
    ({"mode": "open"}, "'open' for mode"),
    ({"public_pages": ["watch", "uploads"]}, "'uploads' for public_pages"),
    ({"public_pages": ["upload"]}, "the page 'upload' as public, but it always needs the role analyst"),
    ({"sign_in": ["password"]}, "'password' for sign_in"),
    ({"sign_in": []}, "gives no way to sign in"),
    ({"public_page": ["watch"]}, "unknown setting 'public_page'"),
    ({"oidc": {"roles": {"@region.example": "owner"}}}, "'owner' for oidc.roles.@region.example"),
    ({"oidc": {"roles": {"region.example": "viewer"}}}, "'region.example', which is neither an e-mail address"),
    ({"oidc": {"default": "viewer"}}, "unknown setting 'oidc.default'"),
    ({"public_pages": "watch"}, "public_pages must be a list"),
])
def test_a_mistake_in_the_file_is_refused_by_name(raw, named):
    with pytest.raises(AccessFileError) as refused:
        parse_access(raw, Path("/srv/benchmark/access.toml"))
    assert named in str(refused.value)
    assert "/srv/benchmark/access.toml" in str(refused.value)


def test_an_unreadable_file_says_so(tmp_path):
    broken = tmp_path / "access.toml"
    broken.write_text('mode = "public\n', encoding="utf-8")
    with pytest.raises(AccessFileError, match="cannot read the access file"):
        access.load_access(broken)


def test_addresses_are_compared_case_folded_and_in_nfc_but_never_look_alike_folded():
    config = parse_access({"oidc": {"default_role": "none", "roles": {
        "@skr.se": "viewer", "malmö@kommun.example": "analyst"}}})
    assert role_for_email(config, "  Anna@SKR.se ") is Role.VIEWER
    assert role_for_email(config, "malmo\u0308@kommun.example") is Role.ANALYST  # NFD ö is the same address
    assert role_for_email(config, "anna@\u0455kr.se") is None  # Cyrillic dze, not Latin s
    assert role_for_email(config, "anna@\uff53\uff4b\uff52.se") is None  # full-width letters: not folded
    assert role_for_email(config, "anna@skr.se", verified=False) is None  # the provider did not verify it
    assert role_for_email(config, "anna@skr.se", verified=True) is Role.VIEWER
    assert role_for_email(config, "no-at-sign") is None and role_for_email(config, None) is None


def test_single_sign_on_with_the_examples_secrets_must_not_start():
    config = parse_access({"sign_in": ["oidc"], "oidc": {"default_role": "viewer"}})
    example = access.read_secrets(REPO / ".streamlit" / "secrets.example.toml")
    problems = [p.key for p in deployment_problems(config, example, has_admin=True)]
    # The example's placeholders count as missing; its redirect and metadata URLs are real-looking.
    assert problems == ["access.oidc_secret_missing"] * 3
    assert [p.params["key"] for p in deployment_problems(config, example, has_admin=True)] == [
        "cookie_secret", "client_id", "client_secret"]
    assert [p.key for p in deployment_problems(config, {}, has_admin=True)] == ["access.oidc_not_configured"]
    short = {"auth": {**GOOD_SECRETS["auth"], "cookie_secret": "tooshort"}}
    assert [p.key for p in deployment_problems(config, short, has_admin=True)] == ["access.cookie_secret_short"]
    assert deployment_problems(config, GOOD_SECRETS, has_admin=False) == []


def test_single_sign_on_that_gives_nobody_a_role_must_not_start():
    config = parse_access({"sign_in": ["oidc"]})
    assert [p.key for p in deployment_problems(config, GOOD_SECRETS, has_admin=True)] == ["access.oidc_no_roles"]


def test_a_private_local_dashboard_needs_an_admin_account_first():
    private = parse_access({"mode": "private"})
    assert [p.key for p in deployment_problems(private, {}, has_admin=False)] == ["access.no_local_admin"]
    assert deployment_problems(private, {}, has_admin=True) == []
    assert deployment_problems(parse_access({}), {}, has_admin=False) == []  # public: browsing needs nobody
