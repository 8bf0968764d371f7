import io

import pytest

from apps.equity import import_services


@pytest.fixture
def import_questions():
    """Import a question file given as text; returns the report."""

    def run(file_name: str, text: str | bytes, **kwargs):
        content = text.encode("utf-8") if isinstance(text, str) else text
        return import_services.question_set_import(file_name=file_name, file=io.BytesIO(content), **kwargs)

    return run


@pytest.fixture
def import_answers():
    def run(file_name: str, text: str | bytes, **kwargs):
        content = text.encode("utf-8") if isinstance(text, str) else text
        return import_services.answers_import(file_name=file_name, file=io.BytesIO(content), **kwargs)

    return run


@pytest.fixture
def demo(db):
    from apps.equity import demo as equity_demo

    equity_demo.load()
