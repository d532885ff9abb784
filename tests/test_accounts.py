"""Staff login, roles, and the rule that every non-public route refuses the wrong people."""

from __future__ import annotations

import pytest

from conference.accounts.access import PUBLIC, view_access
from conference.accounts.models import Role
from tests import factories


def test_login_with_right_password_reaches_staff_area(client, db):
    factories.user(role="organiser", email="orga@example.org")
    db.session.commit()

    response = client.post(
        "/login", data={"email": "ORGA@example.org ", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/staff").status_code == 200


def test_login_with_wrong_password_says_so_and_stays_out(client, db):
    factories.user(role="organiser", email="orga@example.org")
    db.session.commit()

    response = client.post("/login", data={"email": "orga@example.org", "password": "wrong"})

    assert response.status_code == 400
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert client.get("/staff").status_code == 302


def test_login_follows_next_only_within_the_site(client, db):
    factories.user(role="organiser", email="orga@example.org")
    db.session.commit()

    inside = client.post(
        "/login",
        data={"email": "orga@example.org", "password": factories.PASSWORD, "next": "/staff"},
    )
    client.post("/logout")
    outside = client.post(
        "/login",
        data={
            "email": "orga@example.org",
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert inside.headers["Location"] == "/staff"
    assert "evil" not in outside.headers["Location"]


def test_inactive_user_cannot_log_in(client, db):
    user = factories.user(role="organiser", email="old@example.org")
    user.active = False
    db.session.commit()

    response = client.post(
        "/login", data={"email": "old@example.org", "password": factories.PASSWORD}
    )

    assert response.status_code == 400


def test_logout_ends_the_session(staff_client):
    client = staff_client("organiser")

    client.post("/logout")

    assert client.get("/staff").status_code == 302


def test_passwords_are_stored_hashed(db):
    user = factories.user(password="a long enough password")

    assert "a long enough password" not in user.password_hash
    assert user.check_password("a long enough password")


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_login_is_rate_limited(client, db):
    responses = [
        client.post("/login", data={"email": "x@example.org", "password": "nope"})
        for _ in range(12)
    ]

    assert responses[-1].status_code == 429


def _url_for_rule(rule) -> str:
    from werkzeug.routing import IntegerConverter

    values = {}
    for name in rule.arguments:
        integer = isinstance(rule._converters[name], IntegerConverter)
        values[name] = 1 if integer else "x" * 43
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = view_access(app.view_functions[rule.endpoint])
        if access != PUBLIC:
            yield rule, access


def test_every_route_declares_its_access_or_is_admin_only(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "access"), f"{rule.rule} ({rule.endpoint}) declares no access"


def test_every_non_public_route_refuses_anonymous_visitors(app):
    client = app.test_client()
    checked = 0
    for rule, (kind, _roles) in _protected_rules(app):
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(_url_for_rule(rule), method=method)
        if kind == "api":
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert "/login" in response.headers["Location"], rule.rule
        checked += 1
    assert checked >= 2


def test_every_non_public_route_refuses_the_wrong_role(app, staff_client):
    clients = {
        role: staff_client(role) for role in (Role.ORGANISER, Role.CHECKIN, Role.COORDINATOR)
    }
    checked = 0
    for rule, (_kind, roles) in _protected_rules(app):
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        for role, client in clients.items():
            if role in roles:
                continue
            response = client.open(_url_for_rule(rule), method=method)
            assert response.status_code == 403, f"{role} reached {rule.rule}"
            checked += 1
    assert checked >= 1


def test_api_refuses_wrong_and_revoked_tokens(app, db):
    from conference.accounts.services import create_api_token
    from conference.core.time import utcnow

    factories.congress()
    token, secret = create_api_token("script", "organiser")
    scanner, scanner_secret = create_api_token("door", "checkin")
    db.session.commit()
    client = app.test_client()

    assert (
        client.get("/api/v1/stats", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    )
    assert (
        client.get(
            "/api/v1/stats", headers={"Authorization": f"Bearer {scanner_secret}"}
        ).status_code
        == 403
    )
    assert (
        client.get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    token.revoked_at = utcnow()
    db.session.commit()
    assert (
        client.get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def _token_reads(queries: list[str]) -> list[str]:
    return [q for q in queries if "api_token" in q and q.lstrip().upper().startswith("SELECT")]


def test_a_valid_api_token_is_looked_up_once_per_cache_period(app, db, count_queries, cache_clock):
    from conference.accounts.services import create_api_token

    factories.congress()
    _token, secret = create_api_token("script", "organiser")
    db.session.commit()
    clock = cache_clock
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    reads = _token_reads

    with count_queries() as first:
        assert client.get("/api/v1/stats", headers=headers).status_code == 200
    with count_queries() as again:
        assert client.get("/api/v1/stats", headers=headers).status_code == 200
    clock.now += 5.1
    with count_queries() as expired:
        assert client.get("/api/v1/stats", headers=headers).status_code == 200

    assert len(reads(first)) == 1
    assert reads(again) == []
    assert len(reads(expired)) == 1
    # A wrong token is never remembered: it is looked up (and refused) every time.
    with count_queries() as wrong:
        for _ in range(2):
            response = client.get("/api/v1/stats", headers={"Authorization": "Bearer nope"})
            assert response.status_code == 401
    assert len(reads(wrong)) == 2


def test_a_token_revoked_here_is_refused_at_once_and_elsewhere_within_the_cache_period(
    app, db, staff_client, cache_clock
):
    from sqlalchemy import update

    from conference.accounts.models import ApiToken
    from conference.accounts.services import create_api_token
    from conference.core.time import utcnow

    factories.congress()
    here, here_secret = create_api_token("door 1", "checkin")
    there, there_secret = create_api_token("door 2", "checkin")
    db.session.commit()
    here_id, there_id = here.id, there.id
    db.session.rollback()
    clock = cache_clock
    client = app.test_client()

    def answer(secret):
        return client.get(
            "/api/v1/checkpoints", headers={"Authorization": f"Bearer {secret}"}
        ).status_code

    assert answer(here_secret) == answer(there_secret) == 200
    # Revoked in this process, through the page: the next request is refused.
    admin = staff_client("admin")
    db.session.rollback()
    page = admin.post(f"/admin/api-tokens/{here_id}/revoke", follow_redirects=True)
    assert "wird innerhalb von 5 Sekunden abgewiesen" in page.get_data(as_text=True)
    assert answer(here_secret) == 401
    # Revoked by another process (its UPDATE never passes through this one's ORM): this
    # process still trusts what it read, until its entry expires.
    assert answer(there_secret) == 200
    with db.engine.begin() as connection:
        connection.execute(
            update(ApiToken).where(ApiToken.id == there_id).values(revoked_at=utcnow())
        )
    assert answer(there_secret) == 200
    clock.now += 5.1
    assert answer(there_secret) == 401


@pytest.mark.config(API_TOKEN_CACHE_SECONDS=0)
def test_api_token_cache_seconds_zero_looks_up_every_request(app, db, count_queries):
    from conference.accounts.services import create_api_token

    factories.congress()
    _token, secret = create_api_token("script", "organiser")
    db.session.commit()
    client = app.test_client()

    with count_queries() as queries:
        for _ in range(3):
            client.get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})

    assert len(_token_reads(queries)) == 3


def test_a_token_records_its_use_at_most_every_few_minutes(app, db, cache_clock):
    from datetime import timedelta

    from conference.accounts.models import ApiToken
    from conference.accounts.services import create_api_token
    from conference.checkin import services as checkin
    from conference.core.time import utcnow

    checkin.ensure_checkpoints(factories.congress())
    token, secret = create_api_token("door", "checkin")
    db.session.commit()
    clock = cache_clock
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    scan = {"token": "forged", "checkpoint": "day-1"}  # "unknown": a scan that succeeds

    token_id = token.id
    db.session.rollback()  # the test's own reads hold no lock across the requests

    def last_used():
        value = db.session.get(ApiToken, token_id).last_used_at
        db.session.rollback()
        return value

    assert client.post("/api/v1/checkin/scan", json=scan, headers=headers).status_code == 200
    first = last_used()
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    clock.now += 10  # the cache has expired, but the last record is recent: no write
    client.post("/api/v1/checkin/scan", json=scan, headers=headers)
    assert last_used() == first
    older = utcnow() - timedelta(minutes=6)
    db.session.execute(db.update(ApiToken).values(last_used_at=older))
    db.session.commit()
    db.session.rollback()
    clock.now += 10
    client.post("/api/v1/checkin/scan", json=scan, headers=headers)
    assert last_used() > older + timedelta(minutes=5)


def test_api_tokens_are_stored_as_digests_only(db):
    from conference.accounts.models import ApiToken
    from conference.accounts.services import create_api_token

    _token, secret = create_api_token("door", "checkin")

    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert secret not in (stored.token_digest, stored.name)
    assert len(secret) >= 43


def test_admin_creates_a_coordinator_account_in_the_browserless_form(staff_client, db):
    from conference.accounts.models import User

    admin = staff_client("admin")
    carrier = factories.carrier(name="Träger Nord")
    db.session.commit()

    response = admin.post(
        "/admin/users",
        data={
            "email": "Koord@Example.org",
            "name": "Kim Koordinatorin",
            "role": "coordinator",
            "organisation_id": str(carrier.id),
            "password": "a long initial password",
        },
    )

    assert response.status_code == 302
    created = db.session.execute(
        db.select(User).where(User.email == "koord@example.org")
    ).scalar_one()
    assert created.organisation_id == carrier.id
    assert "koord@example.org" in admin.get("/admin/users").get_data(as_text=True)


def test_admin_form_keeps_input_and_explains_errors(staff_client, db):
    admin = staff_client("admin")

    response = admin.post(
        "/admin/users",
        data={
            "email": "k@example.org",
            "name": "Kim",
            "role": "coordinator",
            "organisation_id": "",
            "password": "a long initial password",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Koordinator:innen brauchen einen bestehenden Programmträger." in page
    assert 'value="k@example.org"' in page


def test_admin_deactivates_a_user_who_then_cannot_log_in(staff_client, client, db):
    admin = staff_client("admin")
    user = factories.user(role="checkin", email="door@example.org")
    db.session.commit()

    admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})

    response = client.post(
        "/login", data={"email": "door@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 400


def test_admin_cannot_deactivate_themselves(staff_client, db):
    admin = staff_client("admin")

    response = admin.post(f"/admin/users/{admin.user.id}/active", data={"active": "0"})

    assert response.status_code == 400
    db.session.refresh(admin.user)
    assert admin.user.active


def test_admin_creates_a_scanner_token_shown_once_and_revokes_it(staff_client, app, db):
    from conference.accounts.models import ApiToken

    factories.congress()
    db.session.commit()
    admin = staff_client("admin")

    page = admin.post(
        "/admin/api-tokens", data={"token-name": "Scanner 1", "token-role": "organiser"}
    ).get_data(as_text=True)

    secret = page.split('id="secret" type="text" readonly value="')[1].split('"')[0]
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert (
        app.test_client()
        .get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})
        .status_code
        == 200
    )
    assert secret not in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/api-tokens/{token.id}/revoke")
    assert (
        app.test_client()
        .get("/api/v1/stats", headers={"Authorization": f"Bearer {secret}"})
        .status_code
        == 401
    )


# --- sessions end on the server too (issue 14, point 5) --------------------------------------


def _logged_in(client, db, email: str = "orga@example.org", role: str = "organiser"):
    user = factories.user(role=role, email=email)
    factories.congress()
    db.session.commit()
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    return user, client.get_cookie("session").value


def _with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_a_session_cookie_copied_before_logout_no_longer_opens_anything(app, client, db):
    _user, copied = _logged_in(client, db)
    assert _with_cookie(app, copied).get("/admin/registrations").status_code == 200

    client.post("/logout")

    answer = _with_cookie(app, copied).get("/admin/registrations")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_a_password_change_ends_every_session_of_the_user(app, client, db):
    user, copied = _logged_in(client, db)

    user.set_password("a brand new long password")
    db.session.commit()

    assert _with_cookie(app, copied).get("/admin/registrations").status_code == 302
    assert client.get("/staff").status_code == 302


def test_a_deactivated_users_old_sessions_stay_ended_after_reactivation(
    app, client, db, staff_client
):
    user, copied = _logged_in(client, db, email="door@example.org", role="checkin")
    admin = staff_client("admin")

    admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    closed = _with_cookie(app, copied).get("/checkin").status_code
    admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})

    assert closed == 302
    assert _with_cookie(app, copied).get("/checkin").status_code == 302


def test_another_users_session_survives_a_logout(app, client, db, staff_client):
    other = staff_client("organiser")
    _user, _copied = _logged_in(client, db)

    client.post("/logout")

    assert other.get("/admin/registrations").status_code == 200


# --- no staff enumeration by timing (issue 14, point 6) --------------------------------------


def _login_cpu_seconds(client, email: str) -> float:
    """CPU time of this process for one failed login, the least of three (the test client
    serves in-process, so this is the server's work, whatever else the machine does)."""
    import time

    spent = []
    for _ in range(3):
        started = time.process_time()
        answer = client.post("/login", data={"email": email, "password": "wrong password"})
        spent.append(time.process_time() - started)
        assert answer.status_code == 400
    return min(spent)


def test_a_login_with_an_unknown_address_costs_as_much_as_with_a_known_one(client, db):
    factories.user(role="organiser", email="orga@example.org")
    inactive = factories.user(role="organiser", email="gone@example.org")
    inactive.active = False
    db.session.commit()
    client.post("/login", data={"email": "warm-up@example.org", "password": "x"})

    known = _login_cpu_seconds(client, "orga@example.org")
    unknown = _login_cpu_seconds(client, "nobody@example.org")
    deactivated = _login_cpu_seconds(client, "gone@example.org")

    # Checking a password hash dominates a login (scrypt, ~0.1 s); without it a failed login
    # costs a few milliseconds.
    assert known > 0.02
    assert unknown > 0.5 * known
    assert deactivated > 0.5 * known
