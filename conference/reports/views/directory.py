"""The networking directory."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from conference.accounts.access import public
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.time import utcnow
from conference.reports import directory, forms
from conference.reports.views import bp


def directory_section(registration) -> Markup | None:
    """The manage page's directory entry (confirmed people only)."""
    if registration.status != "confirmed" or registration.anonymised_at is not None:
        return None
    return Markup(
        render_template(
            "reports/_manage_directory.html",
            registration=registration,
            profile=directory.profile_of(registration),
            form=forms.DirectoryProfileForm(formdata=None),
        )
    )


# --- networking directory ----------------------------------------------------------------------


@bp.get("/r/<token>/directory", endpoint="directory")
@public
def directory_page(token: str):
    registration = directory.attendee_by_token(token)
    directory.require_confirmed(registration)
    search = forms.DirectorySearchForm(request.args)
    carriers = directory.directory_carriers(registration)
    search.organisation.choices = [("", _("All"))] + [(str(i), n) for i, n in carriers]
    raw = search.organisation.data or ""
    entries = directory.search(
        registration,
        carrier_id=parse_int(raw),
        region=search.region.data or "",
        topic=search.topic.data or "",
    )
    profile = directory.profile_of(registration)
    form = forms.DirectoryProfileForm(formdata=None, obj=profile)
    return render_template(
        "reports/directory.html",
        registration=registration,
        congress=registration.congress,
        profile=profile,
        form=form,
        search=search,
        entries=entries,
        limit=directory.CONTACT_LIMIT_PER_DAY,
    )


@bp.post("/r/<token>/directory/opt-in")
@public
def directory_opt_in(token: str):
    registration = directory.attendee_by_token(token)
    form = forms.DirectoryProfileForm()
    if not form.validate_on_submit():
        raise Invalid(_("Please check region and topics (at most 100 and 500 characters)."))
    with transaction():
        directory.opt_in(registration, form.region.data or "", form.topics.data or "", now=utcnow())
    flash(_("You are listed in the attendee directory."), "success")
    return redirect(url_for(".directory", token=token), 303)


@bp.post("/r/<token>/directory/opt-out")
@public
def directory_opt_out(token: str):
    registration = directory.attendee_by_token(token)
    form = forms.DirectoryProfileForm()
    if not form.validate_on_submit():
        abort(400)
    with transaction():
        directory.opt_out(registration)
    flash(_("Your entry was removed from the attendee directory."), "success")
    if _has_manage():
        return redirect(url_for("registration.manage", token=token), 303)
    return redirect(url_for(".directory", token=token), 303)


def _has_manage() -> bool:
    from flask import current_app

    return "registration.manage" in current_app.view_functions


@bp.route("/r/<token>/directory/<int:profile_id>/contact", methods=["GET", "POST"])
@public
def directory_contact(token: str, profile_id: int):
    registration = directory.attendee_by_token(token)
    directory.require_confirmed(registration)
    entry = next((e for e in directory.search(registration) if e.profile_id == profile_id), None)
    if entry is None:
        abort(404)
    form = forms.ContactForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction():
                    directory.send_contact_request(
                        registration,
                        profile_id,
                        form.message.data,
                        share_email=form.share_email.data,
                        now=utcnow(),
                    )
            except DomainError as error:
                form.message.errors.append(error.message)
                status = error.status
            else:
                flash(_("Your message was sent to %(name)s.", name=entry.name), "success")
                return redirect(url_for(".directory", token=token), 303)
        else:
            status = 400
    return render_template(
        "reports/contact.html",
        registration=registration,
        congress=registration.congress,
        entry=entry,
        form=form,
        listed=directory.profile_of(registration) is not None,
    ), status
