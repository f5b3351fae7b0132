"""Every word the desk says, in the language of whoever reads it: English or Simplified Chinese.

The sentences are written in English in the code, wrapped in `words.t("…")` (and
`words.tn("one …", "{n} …", n)` where the count changes the sentence); the English text is the
message id. The translations are GNU gettext catalogues, kept with Babel, the Python ecosystem's
standard tool for them:

- `babel.cfg` says where the sentences are and holds the two commands: `pybabel extract`
  (keywords `t`, `tn:1,2`, and `Phrase` and the `DeskError` classes, whose first argument is
  a refusal's reason: see `bot/domain/errors.py`) writes the template, and `pybabel update`
  carries new sentences into each language's `desk.po`. `tests/test_i18n.py` fails when the
  template is behind the code, when a sentence has no Simplified Chinese, and when a message
  rendered in zh-CN still has an English sentence in it.
- The `.po` files ship as package data and are read with Babel's `read_po` when a language is
  first asked for. No compiled `.mo` files: reading a few hundred messages takes milliseconds,
  and nothing can go stale between a `.po` someone edited and a `.mo` nobody rebuilt (there is
  no compile step for the package build, CI or a checkout to forget).

Call `t` outside f-strings (the extractor does not look inside them): compute the sentence, then
put it in the f-string. Placeholders are named (`{ref}`), filled with `str.format` after the
lookup, so a translation may put them in its own order. An English desk gets its message ids
back unchanged: what it says is exactly what it said before the catalogue.

Dates, durations and numbers are written by the same `Words`: English in the desk's own short
forms (`Mon 7 Dec`, `1h 30m`), Chinese with Babel's CLDR data (`12月7日周一`, `1小时30分钟`).

`desk.language` (`en` or `zh-CN`) is the desk's language, used for what a channel reads; a person's
own Slack locale (`users.info` with `include_locale`) decides what is said to them alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

LANGUAGES = ("en", "zh-CN")  # what `desk.language` may say
DOMAIN = "desk"
_CATALOGUE_DIRS = {"zh-CN": "zh_CN"}
_BABEL_LOCALES = {"en": "en", "zh-CN": "zh_CN"}


def language_of_locale(locale: str | None) -> str | None:
    """The desk's language for a Slack locale (`en-US`, `zh-CN`, …), or None when the desk does
    not speak it (then the desk's own language is used). Traditional Chinese is not Simplified."""
    if not locale:
        return None
    tag = locale.replace("_", "-").lower()
    if tag.startswith("en"):
        return "en"
    if tag in ("zh", "zh-cn", "zh-sg", "zh-hans", "zh-hans-cn"):
        return "zh-CN"
    return None


@dataclass(frozen=True)
class Words:
    """One language's sentences and its ways of writing numbers, spans and days."""

    language: str
    singles: dict[str, str] = field(default_factory=dict, repr=False)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def english(self) -> bool:
        return self.language == "en"

    def t(self, message: str, /, **values: Any) -> str:
        """`message` in this language, with its `{placeholders}` filled."""
        said = self.singles.get(message) or message
        return said.format(**values) if values else said

    def tn(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The sentence for `n` things (`{n}` is filled with the number, written this
        language's way). Chinese has one form for every count."""
        forms = self.plurals.get(singular)
        if forms and forms[0]:
            said = forms[0] if len(forms) == 1 else forms[0 if n == 1 else 1]
        else:
            said = singular if n == 1 else plural
        return said.format(n=self.number(n), **values)

    def number(self, n: float) -> str:
        if self.english:
            return str(n)  # as the desk always wrote them
        from babel.numbers import format_decimal

        return format_decimal(n, locale=_BABEL_LOCALES[self.language])

    def duration(self, span: timedelta) -> str:
        """A short span: `45s`, `1h 30m`, `3d 4h` in English; `1小时30分钟` in Chinese (the same
        parts: days and hours past a day, hours and minutes below it)."""
        from bot.domain.durations import duration_parts, format_duration

        if self.english:
            return format_duration(span)
        from babel.units import format_unit

        names = {"d": "duration-day", "h": "duration-hour", "m": "duration-minute", "s": "duration-second"}
        locale = _BABEL_LOCALES[self.language]
        return "".join(
            format_unit(amount, names[unit], length="short", locale=locale)
            for amount, unit in duration_parts(span)
        )

    def hours(self, hours: int, minutes: int = 0) -> str:
        """Hours and minutes, never days (business time): `20h`, `3h 15m`; `20小时`."""
        if self.english:
            return f"{hours}h {minutes}m" if minutes else f"{hours}h"
        from babel.units import format_unit

        locale = _BABEL_LOCALES[self.language]
        said = format_unit(hours, "duration-hour", length="short", locale=locale)
        if minutes:
            said += format_unit(minutes, "duration-minute", length="short", locale=locale)
        return said

    def day(self, when: date, *, year: bool = False) -> str:
        """A day: `Mon 7 Dec` (`Mon 7 Dec 2026`) in English, `12月7日周一` in Chinese."""
        if self.english:
            from bot.slack.when import english_day

            return english_day(when, year=year)
        from babel.dates import format_skeleton

        return format_skeleton("yMMMEd" if year else "MMMEd", when, locale=_BABEL_LOCALES[self.language])

    def weekday(self, when: date) -> str:
        """The day's short name: `Mon`; `周一`."""
        if self.english:
            from bot.slack.when import DAY_NAMES

            return DAY_NAMES[when.weekday()]
        from babel.dates import format_date

        return format_date(when, "EEE", locale=_BABEL_LOCALES[self.language])

    def moment(self, moment: datetime) -> str:
        """A day and a 24-hour time, in the moment's own zone: `Mon 7 Dec, 09:05`."""
        sep = ", " if self.english else " "
        return f"{self.day(moment.date())}{sep}{moment:%H:%M}"

    def listing(self, items: list[str]) -> str:
        """`a, b and c` / `a、b和c`."""
        from babel.lists import format_list

        if self.english:
            return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        return format_list(items, locale=_BABEL_LOCALES[self.language])


@functools.cache
def words_for(language: str) -> Words:
    """The `Words` of a language (its catalogue read once); English needs no catalogue."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: the desk speaks {', '.join(LANGUAGES)}")
    if language == "en":
        return Words("en")
    from babel.messages.pofile import read_po

    folder = resources.files("bot") / "locale" / _CATALOGUE_DIRS[language] / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.po").open("rb") as po:
        catalogue = read_po(po, locale=_BABEL_LOCALES[language], domain=DOMAIN)
    singles: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            forms = tuple(str(s) for s in message.string or ())
            if any(forms):
                plurals[str(message.id[0])] = forms
        elif message.string:
            singles[str(message.id)] = str(message.string)
    return Words(language, singles, plurals)


ENGLISH = words_for("en")
