"""The Tera subset used by render_template."""

from __future__ import annotations

import pytest

from babel._exceptions import BadRequest
from babel._template import render


def test_expressions_filters_and_blocks() -> None:
    out = render(
        "{{ a | upper }}|{{ b | trim }}|{{ n }}|{{ m.k }}|{{ l.1 }}|{{ z | default(value='d') }}"
        "{% if a == 'x' %}!{% elif n %}n{% else %}-{% endif %}{% for i in l %}<{{ i }}>{% endfor %}{# c #}",
        {"a": "x", "b": " b ", "n": 3, "m": {"k": True}, "l": [1, 2]},
    )
    assert out == "X|b|3|true|2|d!<1><2>"


def test_not_and_or() -> None:
    assert render("{% if not a and b %}y{% endif %}", {"a": False, "b": 1}) == "y"
    assert render("{% if a or b %}y{% else %}n{% endif %}", {"a": 0, "b": 0}) == "n"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ missing }}", "template variable 'missing' not found"),
        ("{{ a | shout }}", "filter 'shout' is not supported"),
        ("{% if a %}x", "missing {% endif %}"),
        ("{% include 'x' %}", "tag 'include' is not supported"),
    ],
)
def test_errors_name_the_problem(template: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message.replace("{", r"\{").replace("}", r"\}")):
        render(template, {"a": "x"})
