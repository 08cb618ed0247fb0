"""How the command line reads to people: `-h` beside `--help`, arguments and options named as
words (`PATH`, `OLD`, `N`, `text|json`) rather than types (`<path>`, `{old}`, `<int range>`), and a
wrong choice answered with the choices ("'xml' is not a format; choose text, json, …").

`Typer` is a `typer.Typer` whose commands use these parameter classes, so every command added to
the CLI gets them without asking.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import typer
import typer.core

__all__ = ["Typer", "CONTEXT"]

CONTEXT = {"help_option_names": ["-h", "--help"]}


class Argument(typer.core.TyperArgument):
    """An argument shown as a word in capitals (`PATH`, `[NEW]`), without a `<type>` beside it."""

    @property
    def display_name_raw(self) -> str:
        return self.metavar or self.name.upper()

    def _usage_display_name(self) -> str:
        return self.display_name_raw if self.required else f"[{self.display_name_raw}]"

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class Option(typer.core.TyperOption):
    """An option whose value reads as a word (`N`, `OLD`, `text|json`) and whose wrong choice
    says what it is and what to choose, not a type checker's wording."""

    def _choices(self) -> list[str] | None:
        desc = getattr(self, "type_descriptor", None)
        if desc is not None:
            choices = desc.choices if desc.is_choice else None
        else:  # typer before 0.29: a click.Choice
            choices = getattr(getattr(self, "type", None), "choices", None)
        return [str(getattr(c, "value", c)) for c in choices] if choices else None

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        if self.metavar is not None:
            return self.metavar
        choices = self._choices()
        if choices:
            return "|".join(choices)
        desc = getattr(self, "type_descriptor", None)
        if desc is not None and getattr(desc, "annotation", None) is int:
            return "N"
        return max(self.opts, key=len).lstrip("-").replace("-", "_").upper()

    def process_value(self, ctx: Any, value: Any) -> Any:
        try:
            return super().process_value(ctx, value)
        except typer.BadParameter:
            choices = self._choices()
            if not choices or isinstance(value, Enum):
                raise
            noun = _CHOICE_NOUNS.get(self.name or "", (self.name or "value").replace("_", " "))
            article = "an" if noun[:1] in "aeiou" else "a"
            raise typer.BadParameter(f"'{value}' is not {article} {noun}; choose {', '.join(choices)}", ctx=ctx, param=self) from None


_CHOICE_NOUNS = {"to": "export format"}


class Command(typer.core.TyperCommand):
    """A command whose arguments and options are shown and checked as above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is typer.core.TyperArgument:
                param.__class__ = Argument
            elif type(param) is typer.core.TyperOption:
                param.__class__ = Option


class Typer(typer.Typer):
    """Every command with `-h` as well as `--help`, and arguments and options shown as words."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or Command, **kwargs)
