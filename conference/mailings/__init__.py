"""Mailings to participants chosen by filter, and scheduled mails (issue 18, points 1 to 5).

``recipients``
    The filter (status, carrier, local structure, role, days, workshop, checked in, language,
    answer to a registration question): parsed against the edition, stored as JSON, read back
    in words; one SELECT of ids, each person once, erased people never.
``choices``
    What the filter's form offers (carriers, local structures, days, workshops, questions).
``texts``
    The placeholders a mailing offers (the mail texts' own, plus the certificate and survey
    links) and the two default rules' texts.
``services``
    ``create`` (records a mailing; nothing is queued in the request), ``send_test``,
    ``counts``, ``history``; the scheduled rules (``save_rule``, ``add_preset``, ``due_at``).
``delivery``
    Runs at the start of every outbox pass (``core.mail.before_delivery``): runs due rules
    once each and expands mailings into the outbox in batches claimed by conditional UPDATE.
``views``
    ``/admin/mailings`` (history), ``/new``, ``/<id>`` (refreshes itself:
    ``static/js/mailing-status.js``), ``/rules``.
"""
