"""The organisers' mail texts: every mail the app sends, editable per edition and language.

``registry``
    Every mail kind (``MailKind``: key, name, when it goes out, its ``Placeholder``s, default
    subject and body as msgids, so the German default comes from the catalogue). Mailings add
    their kinds here; ``find_samples_with`` lets the registration area say which registration
    a preview shows.
``render`` (the sandbox)
    ``problems(text, allowed)`` refuses anything but known ``{name}`` placeholders
    (attribute/index access, conversions, format specs, Jinja syntax, unbalanced braces);
    ``render`` is ``str.format_map`` over plain strings; ``to_html`` makes the HTML part from
    the same text.
``services``
    ``queue_mail(key, congress=, recipient=, language=, values=, ...)`` and ``Batch`` (many
    mails of a kind) for the sending areas; ``person_values`` / ``congress_values`` for the
    values every mail offers; ``current_text``, ``save_text``, ``reset_text``, ``check``,
    ``warnings``, ``preview``, ``send_test`` for the organisers' pages;
    ``copy_mail_texts(source, target)`` for copying an edition.
``views``
    ``/admin/mail-texts`` (the current edition), ``/admin/congresses/<id>/mail-texts`` and
    one page per kind and language with "Vorschau", "Test an mich" and "Zurücksetzen".
"""
