"""A synthetic corpus of Russian ticket messages for the search benchmark.

Words are declined: every lemma comes in its case forms, so a search for one form has to
find the others. A few hundred real medical-library words are drawn with Zipf-like
frequencies (the most common one is in about one message in ten, as common words are in a
real desk's history), among function words and a long tail of generated, equally declined
rare words, so the index holds a realistic number of distinct terms. Message lengths follow
a log-normal law: a median of about 20 words, a few of several hundred.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from storage.stems import stem

_FEMININE = ["а", "ы", "е", "у", "ой", "ам", "ами", "ах"]
_FEMININE_IA = ["ия", "ии", "ию", "ией", "ий", "иям", "иями", "иях"]
_MASCULINE = [".", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"]
_NEUTER_IE = ["ие", "ия", "ию", "ием", "ии", "ий", "иям", "иями", "иях"]
_ADJECTIVE = ["ый", "ая", "ое", "ые", "ого", "ой", "ому", "ым", "ых", "ыми", "ую"]


def _listed(words: str) -> list[str]:
    return words.split()


_LEMMAS: dict[tuple[str, ...], str] = {
    tuple(_FEMININE): """книг работ клиник больниц методик программ литератур библиотек
        выставк подборк ссылк справк тем глав страниц кафедр практик травм вакцин прививк
        карт схем таблиц шкал доз норм астм ангин язв школ профилактик диагностик""",
    tuple(_FEMININE_IA): """терап хирург педиатр кардиолог невролог онколог гинеколог
        уролог анатом физиолог фармаколог эпидемиолог монограф публикац вакцинац реабилитац
        стоматолог офтальмолог психиатр консультац диссертац рецензи лекц операц инфекц
        патолог аллерг""",
    tuple(_MASCULINE): """журнал диабет инсульт инфаркт синдром метод препарат анализ
        пациент врач студент ординатор протокол стандарт обзор учебник справочник
        каталог фонд абонемент читател автор перевод отчёт реферат доклад симпозиум
        конгресс семинар тренинг диагноз симптом рецепт сборник атлас""",
    tuple(_NEUTER_IE): """исследован лечен заболеван издан описан обследован осложнен
        состоян направлен отделен пособ""",
    tuple(_ADJECTIVE): """клиническ медицинск лечебн современн инфекционн сердечн
        хроническ детск научн учебн практическ остр нов стар""",
}

_FUNCTION_WORDS = _listed(
    """и в на по для о с не что это как из к у за от до при про или также только уже
    ещё можно нужно нужна нужны пожалуйста здравствуйте спасибо"""
)

_SYLLABLES = _listed("""ба ве ги до ку ла ми но пе ро са ти фу ха це ша эр ю ян ол ин ар""")
_TAIL_LEMMAS = 20_000
_TOPIC_SHARE = 0.35
_TAIL_SHARE = 0.25
_ZIPF_OFFSET = 20


@dataclass(frozen=True, slots=True)
class Word:
    form: str
    stem: str


def _decline(stem_text: str, endings: Sequence[str]) -> list[str]:
    velar = stem_text[-1] in "гкхжшчщ"
    forms = []
    for ending in endings:
        if ending == ".":
            ending = ""
        if velar and ending.startswith("ы"):
            ending = "и" + ending[1:]
        forms.append(stem_text + ending)
    return forms


def _words(forms: list[str]) -> list[Word]:
    return [Word(form, stem(form)) for form in forms]


class Vocabulary:
    """Declined lemmas and their frequencies; every form is stemmed once, up front."""

    def __init__(self, rng: random.Random) -> None:
        self.topics: list[list[Word]] = [
            _words(_decline(lemma, endings))
            for endings, lemmas in _LEMMAS.items()
            for lemma in lemmas.split()
        ]
        rng.shuffle(self.topics)
        self._topic_weights = [1 / (rank + _ZIPF_OFFSET) for rank in range(len(self.topics))]
        self.tail = [
            _words(_decline("".join(rng.choices(_SYLLABLES, k=3)) + "н", _FEMININE))
            for _ in range(_TAIL_LEMMAS)
        ]
        self.function_words = _words(_FUNCTION_WORDS)
        self._rng = rng

    def word(self) -> Word:
        roll = self._rng.random()
        if roll < _TOPIC_SHARE:
            lemma = self._rng.choices(self.topics, self._topic_weights)[0]
        elif roll < _TOPIC_SHARE + _TAIL_SHARE:
            lemma = self._rng.choice(self.tail)
        else:
            return self._rng.choice(self.function_words)
        return self._rng.choice(lemma)

    def topic(self) -> tuple[str, str]:
        """A ticket form's topic, a few words long, and its stems."""
        words = [self.word() for _ in range(self._rng.randint(3, 8))]
        return " ".join(word.form for word in words), " ".join(word.stem for word in words)

    def message(self) -> tuple[str, str]:
        """A message's text and its stems (what :func:`storage.stems.stems` makes of it)."""
        length = max(3, min(400, round(self._rng.lognormvariate(3.0, 0.8))))
        words = [self.word() for _ in range(length)]
        pieces = []
        for index, word in enumerate(words):
            text = word.form.capitalize() if index == 0 else word.form
            if index % 9 == 8:
                text += ","
            pieces.append(text)
        return " ".join(pieces) + ".", " ".join(word.stem for word in words)


def queries(vocabulary: Vocabulary, rng: random.Random, count: int) -> Iterator[str]:
    """Staff-like queries, each in a random case form: common, middling and rare words,
    pairs of common words, pairs of less common ones (a few thousand matches: the hardest
    case for PostgreSQL, which then fetches every match from the table), and a word that is
    in no message."""
    topics = vocabulary.topics
    for index in range(count):
        kind = index % 6
        if kind == 5:
            first, second = rng.sample(topics[80:], 2)
            yield f"{rng.choice(first).form} {rng.choice(second).form}"
            continue
        if kind == 0:
            yield rng.choice(rng.choice(topics[:5])).form
        elif kind == 1:
            yield rng.choice(rng.choice(topics[5:60])).form
        elif kind == 2:
            first, second = rng.sample(topics[:40], 2)
            yield f"{rng.choice(first).form} {rng.choice(second).form}"
        elif kind == 3:
            yield rng.choice(rng.choice(vocabulary.tail)).form
        else:
            yield "фибриномантия"
