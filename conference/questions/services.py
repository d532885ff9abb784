"""An edition's registration questions, for the views and for the areas above.

Split by topic: ``answers`` (reading, the answer store), ``editing`` (the organisers'
operations). Services flush, never commit.
"""

from conference.questions.answers import (  # noqa: E402, F401
    ANSWER_TABLES,
    CHUNK,
    HELP_LIMIT,
    OPTION_LIMIT,
    REGISTRATION_ANSWERS,
    TEXT_LIMIT,
    YES_NO_OPTIONS,
    AnswerTables,
    InvalidQuestion,
    QuestionConflict,
    _answered_options,
    _from_stored,
    _tables,
    _to_stored,
    answer_counts,
    erase_answers,
    has_answers,
    option_counts,
    question_of,
    questions_of,
    store_answers,
    stored_answers,
)
from conference.questions.editing import (  # noqa: E402, F401
    OptionData,
    QuestionData,
    _apply_options,
    _check_condition,
    _check_text,
    _dependents,
    _names,
    copied_question_count,
    copy_questions,
    move_question,
    remove_question,
    restore_question,
    save_question,
)
