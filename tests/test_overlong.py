"""Black on only the statements that do not fit (generator/overlong.py) writes what black on the whole file writes.

The proof over real output is the corpus, golden and fuzz tests (`--verify-format` compares every file with black
on all of it); these tests pin the mechanics: which statements black sees, and when the whole file goes to it.
"""

from __future__ import annotations

from black import format_str
from black.mode import Mode, TargetVersion

from generator.layout import overlong_lines
from generator.overlong import format_overlong

LONG = "A" * 60
# Black's layout wherever a line fits, as our templates print it; five statements hold a line that does not.
SOURCE = f'''"""A module."""

from __future__ import annotations

import enum

_ENDPOINT_{LONG}: _http.Endpoint[list[{LONG}]] = _http.Endpoint(
    "GET",
    path="/{"x" * 120}",
)

_MODULE_OF: dict[str, str] = {{
    "{LONG}": "{LONG.lower()}",
    "Short": "short",
}}


class Status{LONG}(enum.Enum):
    """Status."""

    OK = "ok"

    @classmethod
    def _missing_(cls, value: object) -> Status{LONG} | None:
        return None


@dataclass
class Model:
    name: str
    values: list[{LONG}Item] | Unset | None = UNSET

    def to_dict(self) -> dict[str, object]:
        if self.name:
            return {{"name": self.name}}
        else:
            return {{"name": self.name, "values": encode_the_values_of_this_model(self.values, self.name)}}


async def send(client: Client) -> None:
    # A comment that stays where it is.
    await client.send(_ENDPOINT_{LONG}, _request, options)
'''
MODE = Mode(target_versions={TargetVersion.PY311}, line_length=100)


def black(text: str) -> str:
    return format_str(text, mode=MODE)


def with_overlong(*texts: str) -> list[tuple[str, list[int]]]:
    return [(text, overlong_lines(text, 100)) for text in texts]


def test_black_sees_only_the_overlong_statements_and_its_layout_lands_in_their_place() -> None:
    seen: list[str] = []

    def recording(text: str) -> str:
        seen.append(text)
        return black(text)

    assert (
        len(overlong_lines(SOURCE, 100)) == 5
    )  # the dict item of two strings is not: black cannot split it
    assert black(SOURCE) != SOURCE
    assert format_overlong(with_overlong(SOURCE, "x = 1\n"), recording) == [
        black(SOURCE),
        "x = 1\n",
    ]
    # One call, with the five statements alone: the whole `def _missing_` (its signature does not fit), not the
    # class around it; the `return` in the `else` branch, not the method around it.
    [given] = seen
    assert given.count("_oapigen_statement_ = 0\n") == 5
    assert (
        "class Status" not in given and "def to_dict" not in given and "if self.name" not in given
    )
    assert "@classmethod\n    def _missing_" in given and "# A comment" not in given
    statements = [
        line
        for line in given.splitlines()
        if line.strip() not in {"_oapigen_statement_ = 0", "class _:"}
    ]
    assert len(statements) == 4 + 3 + 1 + 1 + 1 and set(statements) <= set(SOURCE.splitlines())


def test_what_cannot_be_placed_exactly_goes_to_black_whole() -> None:
    long_call = f"f({', '.join(['argument'] * 12)})"
    broken = f"{long_call}\n)\n"  # not Python: black on the whole file says where
    odd = f"if x:\n  {long_call}\n"  # an indentation black would change
    elif_ = f"if x:\n    pass\nelif {long_call}:\n    pass\n"  # not a statement of its own
    assert format_overlong(with_overlong(broken, odd, elif_, SOURCE), black) == [
        None,
        None,
        None,
        black(SOURCE),
    ]

    def losing(text: str) -> str:
        return black(text).replace("_oapigen_statement_ = 0\n", "", 1)

    assert format_overlong(with_overlong(SOURCE, "x = 1\n"), losing) == [None, "x = 1\n"]


def test_items_black_cannot_split_are_not_overlong_and_black_agrees() -> None:
    unsplittable = [
        f'x = {{\n    "{LONG}": "{LONG}",\n}}\n',
        f'f(\n    path="/{LONG}{LONG}",\n)\n',
        f"x = [\n    {LONG}{LONG},\n]\n",
        f"x = [\n    '{LONG}\"{LONG}',\n]\n",
    ]
    splittable = [
        f'x = {{\n    "{LONG}": "{LONG}" "{LONG}",\n}}\n',  # implicit concatenation: black splits it
        f"x = [\n    {LONG}.{LONG}.b,\n]\n",
        f'x = {{\n    "{LONG}": f("{LONG}"),\n}}\n',
        f'x = [\n    "{LONG}{LONG}",  # a comment\n]\n',
    ]
    for text in unsplittable:
        assert overlong_lines(text, 100) == [] and black(text) == text, text
    for text in splittable:
        assert overlong_lines(text, 100) == [1], text
