"""The registration opening rush: 2,000 people sign up and confirm against 1,500 seats.

32 concurrent clients, 4 gunicorn workers. Each client behaves like a browser: it fetches the
form (session cookie + CSRF token), submits it, and later opens its confirmation link and
presses the button (again fetching the page for the token). The confirmation tokens are read
from the database, as a person reads them from the mail. Afterwards exactly 1,500 must be
confirmed, 500 waitlisted, no 5xx, and the seat counter must equal the confirmed count.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from benchmarks.harness import Bench, Result, scenario

PEOPLE = 2000
SEATS = 1500
CLIENTS = 32
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _csrf(response: httpx.Response) -> str:
    match = CSRF.search(response.text)
    if match is None:
        raise httpx.HTTPError(f"no CSRF token in {response.request.url} ({response.status_code})")
    return match.group(1)


def _submit(n: int, days: list[str]):
    def run(client: httpx.Client) -> httpx.Response:
        form = client.get("/register")
        data = {
            "csrf_token": _csrf(form),
            "first_name": f"Person{n}",
            "last_name": "Ansturm",
            "email": f"rush{n}@example.org",
            "language": "de",
            "carrier": "other",
            "organisation_other": "Freiwilligenagentur",
            "programme_role": "mentor",
            "sector": "civil_society",
            "diet": "none",
            "days": days,
            "consent": "y",
        }
        return client.post("/register", data=data)

    return run


def _confirm(token: str):
    def run(client: httpx.Client) -> httpx.Response:
        page = client.get(f"/register/confirm/{token}")
        return client.post(f"/register/confirm/{token}", data={"csrf_token": _csrf(page)})

    return run


@scenario("registration-rush")
def registration_rush(bench: Bench) -> list[Result]:
    from sqlalchemy import func, select

    from conference.core.models import Congress
    from conference.extensions import db
    from conference.registration.models import Registration
    from tests import factories

    with bench.app_context():
        congress = factories.congress(
            capacity=SEATS,
            title="Fachkongress Ansturm",
            registration_opens_at=datetime.now(UTC) - timedelta(hours=1),
        )
        days = [d.day.isoformat() for d in congress.days]
        congress_id = congress.id
        db.session.commit()

    with bench.server(workers=4) as base:
        submitted, responses = bench.load(
            "registration-rush submit (GET form + POST)",
            base,
            [_submit(n, days) for n in range(PEOPLE)],
            concurrency=CLIENTS,
            max_seconds=600,
            ok=lambda r: r.status_code == 302,
        )
        with bench.app_context():
            tokens = (
                db.session.execute(
                    select(Registration.confirm_token)
                    .where(Registration.congress_id == congress_id)
                    .order_by(Registration.id)
                )
                .scalars()
                .all()
            )
            db.session.remove()
        confirmed, confirm_responses = bench.load(
            "registration-rush confirm (GET page + POST)",
            base,
            [_confirm(token) for token in tokens if token],
            concurrency=CLIENTS,
            max_seconds=600,
            ok=lambda r: r.status_code == 302,
        )

    with bench.app_context():
        counts = dict(
            db.session.execute(
                select(Registration.status, func.count())
                .where(Registration.congress_id == congress_id)
                .group_by(Registration.status)
            ).all()
        )
        taken = db.session.get(Congress, congress_id).taken
        db.session.remove()
    server_errors = sum(1 for r in [*responses, *confirm_responses] if r.status_code >= 500)
    check = {
        "registered": len(tokens),
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "pending": counts.get("pending", 0),
        "seats_taken": taken,
        "5xx": server_errors,
    }
    ok = (
        check["confirmed"] == SEATS
        and check["waitlisted"] == PEOPLE - SEATS
        and taken == SEATS
        and server_errors == 0
        and submitted.errors == 0
        and confirmed.errors == 0
    )
    check["correct"] = ok
    submitted.extra.update(check)
    confirmed.extra.update(check)
    if not ok:
        print(f"!! registration rush went wrong: {check}", flush=True)
    return [submitted, confirmed]
