"""The call for contributions (issue 19): the organisers' call per edition (deadline,
introduction, formats, tracks, review criteria, extra questions through the question engine),
the public form ``/cfp`` with double opt-in and the submitter's personal link, reviews by the
``reviewer`` role, decisions and their release in one step.

``models`` what is stored; ``services`` what can happen (no request, no commit); ``views``
the pages. It sits above the agenda (an accepted contribution becomes a draft session) and the
editions (their Markdown helper), below the reports.
"""
