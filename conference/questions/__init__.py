"""The question engine: questions organisers shape per edition, and their answers.

Reused beyond registration (the call for contributions asks extra questions, mailings filter
by an answer), so it knows nothing of registrations but their table's name. Layers, bottom up:

``models``
    ``Question`` (per congress and ``scope``; kind, German/English text and help, required,
    min/max, ``visible_to_coordinators``, an optional condition ``condition_option_id``,
    ``archived_at``, ``position``), ``QuestionOption``, and the answers of one scope in their
    own tables (``RegistrationAnswer`` + ``RegistrationAnswerChoice``).
``engine`` (pure: plain values, no database)
    ``read_form(questions, language, shown=, formdata=, stored=, enforce_required=)`` ->
    ``AnswerForm`` (``fields`` for ``templates/questions/_fields.html``, ``values`` to keep,
    ``errors`` by question id); ``parse_input`` / ``parse_text`` (a form's values, an imported
    cell); ``visible_ids`` / ``keep_visible`` (conditions: a question is shown only while the
    option it depends on is chosen, recursively); ``display`` / ``export_value`` (an answer
    for a page, a spreadsheet cell).
``services``
    ``questions_of(congress_id, scope, archived=)``; the organisers' operations
    ``save_question`` (``QuestionData``; a question with answers keeps its type),
    ``move_question``, ``remove_question`` (archives a question with answers, deletes one
    without), ``restore_question``, ``copy_questions(source, target)``; and the answer store
    of any scope through its ``AnswerTables``: ``stored_answers``, ``store_answers``,
    ``erase_answers``, ``answer_counts``, ``option_counts``. A new scope adds its tables to
    ``ANSWER_TABLES``.
``registrations``
    What the registration pages, exports, import, portal, privacy and dashboard call:
    ``answer_form``, ``save_answers``, ``answers_of``, ``table``, ``import_columns`` /
    ``import_answers``, ``privacy_export``, ``erase``, ``choice_results``, ``audience_of``.
``views``
    The organisers' pages at ``/admin/congresses/<id>/questions``.

Filtering registrations by an answer (mailings): choices are rows of
``RegistrationAnswerChoice`` (``answer_id``, ``option_id``); "answered option X" is an EXISTS
over them joined to ``RegistrationAnswer.registration_id``.
"""
