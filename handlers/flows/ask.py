"""Ask a librarian: the reader's question, optional files, a summary to confirm."""

from __future__ import annotations

from handlers.forms import Form, Step

ASK_FORM = Form(
    name="ask",
    title="ask-title",
    steps=(
        Step(
            key="question",
            prompt="ask-question-prompt",
            label="ask-question-label",
            max_length=3000,
        ),
        Step(
            key="files",
            prompt="ask-files-prompt",
            label="ask-files-label",
            free_text=False,
            attachments=True,
            optional=True,
        ),
    ),
)
