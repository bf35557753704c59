"""Recording what a rendering reads: the tokens an output depends on, and its key.

A template's reads are recorded as it runs (render/environment.py); code that reads site
data on a template's behalf records its own (render/filters.py). The plan resolves the
tokens of the last build to decide what to make again (render/plan.py); the build cache
keeps them as Dependencies (cache.py).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_RECORDED: set[str] | None = None


def record(token: str) -> None:
    """Note that the output being rendered read what `token` names (a no-op otherwise)."""
    if _RECORDED is not None:
        _RECORDED.add(token)


def record_all(tokens: Iterable[str]) -> None:
    """record() each of `tokens` (what a part made once and reused read), in one step."""
    if _RECORDED is not None:
        _RECORDED.update(tokens)


def recorded() -> frozenset[str]:
    """What the output being rendered has read so far (nothing outside a recording)."""
    return frozenset(_RECORDED or ())


class recording:  # (named as a function: used as one, as contextlib.suppress is)
    """Collect the tokens recorded while rendering one output. Recordings nest: a part
    rendered once per build and reused (a statement's feed content) is recorded by itself,
    and its caller records what of it each output depends on (not the part's own
    variables, which are no output's). A class, not a generator: one for every output and
    part made, a microsecond each as a generator."""

    __slots__ = ("_outer",)
    _outer: set[str] | None

    def __enter__(self) -> set[str]:
        global _RECORDED
        tokens: set[str] = set()
        self._outer, _RECORDED = _RECORDED, tokens
        return tokens

    def __exit__(self, *exc: object) -> None:
        global _RECORDED
        _RECORDED = self._outer


def key_of(tokens: Iterable[str], line: Callable[[str], str]) -> str:
    """An output's key: its tokens with the values they resolve to now. `line(token)` is
    f"{token}={value}" (see key_line), made once per token and build by the caller."""
    return key_of_lines([line(token) for token in sorted(tokens)])


def key_of_lines(lines: list[str]) -> str:
    """The key of an output whose tokens, in order, resolve to `lines` (see key_of)."""
    # One string hashed once: made for every output of a site on every build.
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=16).hexdigest()


# A value longer than this is hashed once into its line: a feed's or a list's fingerprint
# names every statement in it, and thousands of outputs' keys share it. (No value resolved
# or fingerprinted starts with "#": a hashed one is never taken for another's text.)
_LONGEST_VALUE = 64


def key_line(token: str, value: str) -> str:
    """A token's part of an output's key: the token and its value, or its value's hash."""
    if len(value) > _LONGEST_VALUE:
        value = "#" + hashlib.blake2b(value.encode(), digest_size=16).hexdigest()
    return f"{token}={value}"


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What each output's rendering read: its tokens, in order, as numbers into one table.
    The outputs of a site share most of their tokens (17 MB as plain lists at 10,000
    statements, 3 MB so), and an output not made again keeps its numbers as they are."""

    tokens: list[str]
    outputs: dict[str, list[int]]

    def updated(self, made: Mapping[str, Sequence[str]], kept: Iterable[str]) -> Dependencies:
        """This build's: what each output in `made` recorded, and for each output in `kept`
        (not made this time) what it recorded before. The table grows by the tokens new to
        it, and is made afresh once most of it is no output's."""
        outputs = {path: self.outputs[path] for path in kept if path in self.outputs}
        used = {number for numbers in outputs.values() for number in numbers}
        if len(used) * 2 < len(self.tokens):  # mostly tokens of outputs gone or made again
            numbering: dict[str, int] = {}
            outputs = {
                path: [numbering.setdefault(self.tokens[i], len(numbering)) for i in numbers]
                for path, numbers in outputs.items()
            }
        else:
            numbering = {token: i for i, token in enumerate(self.tokens)}
        # Numbered in the order first recorded; a token's number then looked up in C, not
        # a Python step for each of the 320,000 an output recorded (at 10,000 statements).
        for token in dict.fromkeys(itertools.chain.from_iterable(made.values())):
            numbering.setdefault(token, len(numbering))
        for path, tokens in made.items():
            outputs[path] = list(map(numbering.__getitem__, tokens))
        return Dependencies(list(numbering), dict(sorted(outputs.items())))
