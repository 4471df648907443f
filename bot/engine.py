"""The engine: one function from a user's message to a Reply, whatever the channel.

    answer(text, session, today) -> Reply

It normalises the message, extracts entities, ranks intents, and then decides: answer a clear
winner, ask when two candidates are close, or fall back honestly. The session carries the last
topic and a pending question, so that follow-ups such as "kalau 2 juta?" or "cara klaimnya?" work.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

from bot.cases import TOLD_CASES, WORK_ACCIDENT, WORK_HARM, Cases
from bot.confidence import LOW_CONFIDENCE
from bot.context_model import Continuation, ContinuationMemory
from bot.domain import (
    PAYING,
    names_agency_matter,
    names_bot_itself,
    names_domain,
    names_foreign_matter,
    names_job_ended,
    names_work_harm,
)
from bot.entities import PROGRAMME_WORDS, EntityExtractor
from bot.figures import quoted, quotes_shown, shown
from bot.followup import (
    AGE_NEXT,
    AT_WORK_INSTEAD,
    BARE_TOPIC,
    CALCULATED,
    CASE_INTENT,
    CASE_OF,
    CONTACT_INTENT,
    DIFFERENCE,
    FAMILY_WORDS,
    FOLLOWUP_ENTITY,
    GENERIC_FACETS,
    GROUP_WORDS,
    IN_PREMIUM_WORDS,
    INCOME_NEXT,
    INDEPENDENT_PREMIUM,
    MIGRANT_PREMIUM,
    ONLINE_CLAIM,
    ONLINE_WORDS,
    PREMIUM_OF_WORKER,
    PREMIUM_TOPIC,
    PRICED_AFTER,
    PROGRAMME_FACETS,
    QUESTION_FILLERS,
    QUESTION_TAGS,
    QUESTION_WORDS,
    SELF_HELP_ANSWERS,
    SO_THEN,
    SO_THEN_WORDS,
    TAKING_WORDS,
    TOGETHER_WORDS,
    TOPIC_WORDS,
    USE_WORDS,
    WHAT_IF,
    WITH_PERSON_WORDS,
    asks_if_all,
    asks_migrant_terms,
    asks_more,
    asks_source,
    asks_to_confirm,
    context_words,
    first_numbered,
    is_statement,
    names_worker,
    numbered_items,
    ordinal_choice,
    programme_asked_about,
    residual_words,
    split_clauses,
    split_core,
    split_raw,
    still_failing,
    workers_named,
)
from bot.matcher import Candidate, Matcher
from bot.normalize import MONEY_TOKEN, Normalizer, spell_amounts
from bot.places import Gazetteer
from bot.preamble import (
    closing,
    introduces_agent,
    lone_greeting,
    strip_besides,
    strip_correction,
    strip_courtesies,
    strip_subject_change,
)
from bot.recall import asks_again, numbered_position, points_back
from core.entities import Entities
from core.reply import Option, Reply
from core.session import Session, Topic
from handlers import HANDLERS, Context, notices
from handlers.premiums import months_alone
from handlers.present import DETAILS_MEMORY, DETAILS_OPTION, KEEPS_CONTEXT, SOURCES_OPTION, finish
from handlers.renderings import Renderings
from handlers.smalltalk import fallback_reply
from knowledge.store import Knowledge, MissingFact

log = logging.getLogger(__name__)

# The topic of greetings, thanks and the menu: formulaic answers.
CONVERSATION_TOPIC = "percakapan"
# Topics that are no subject to continue: the conversation's own answers, and what lies outside
# the domain (off-topic, the BPJS Kesehatan redirection). A bonus there would pull the next
# question to the fallback ("kalau sakit krn kerja?" after a BPJS Kesehatan redirection).
NO_CONTINUATION = frozenset({CONVERSATION_TOPIC, "lain"})
# Session memory key: the question a clarification was about.
CLARIFIED = "clarified"
# An amount this large is an income or a wage; below it, most likely a premium being quoted.
MIN_INCOME_AMOUNT = 300_000
PROGRAMME_NAMES = frozenset({"jht", "jkk", "jkm", "jp", "jkp"})
# Greetings, thanks and the menu answer short messages; a longer one is a question.
MAX_FORMULAIC_WORDS = 5
# The words of a self-introduction around the place and the work it names ("saya dari ...",
# "saya ojek di ...").
INTRODUCTION_WORDS = frozenset(
    ["saya", "dari", "di", "asal", "tinggal", "orang", "kerja", "bekerja", "sebagai", "seorang",
     "kabupaten", "kab", "kota", "provinsi", "desa", "kampung", "pulau", "daerah",
     # what the work grows, raises or sells ("sy petani jagung di gorontalo")
     "jagung", "padi", "sawah", "sawit", "karet", "kopi", "kakao", "cengkeh", "lada", "bawang",
     "sayur", "tembakau", "kelapa", "rumput", "laut", "sapi", "kambing", "ayam", "ikan", "kue",
     "kebun", "pasar",
     # an agent introducing themselves ("ku agen perisai di desa kurau")
     "agen", "perisai"]
)  # fmt: skip
MENU_INTENT = "menu"
# Session memory key: the premium of the worker the user said they are ("sy karyawan").
WORKER_PREMIUM = "worker_premium"
# Session memory key: the amounts of the last calculation, for "kalau 10 orang?".
AMOUNTS = "amounts"
# Session memory key: the head count of that calculation, for "kalau 3 bulan sekaligus?".
HEADS = "heads"
# Session memory key: the figures the last answer showed, for "332.500 itu sekali bayar?".
SHOWN = "shown"
# "kalau tambah jht?", "plus jht": a programme added to the calculation just shown.
ADDING = re.compile(
    r"\b(?:tambah|ditambah|plus|sama|dengan|ikut|pakai|termasuk|tanpa|kurangi|with|add|without)\b"
)
_CHOICE = re.compile(r"^\s*(?:no\.?\s*|nomor\s*|pilih\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_CHOICE_WITH_DETAIL = re.compile(
    r"^\s*(?:no\.?|nomor|pilihan)\s*(\d)\s*[,.:;]\s*(\S.*)$", re.IGNORECASE | re.DOTALL
)
MAX_INPUT_CHARS = 1000
# "kalau 1980?", "thn 1985", "1978": a year and nothing else to ask.
_BARE_YEAR = re.compile(r"^(?:(?:kalau|kalo|terus|yang|tahun|thn)\s+){0,2}((?:19|20)\d{2})$")
# "iuran brp", "berapa iurannya": the amount of a premium asked for.
_HOW_MUCH = re.compile(r"\biuran berapa\b|\bberapa iuran\b")
# A first clause and the rest: "balik ke yg tadi, 10 persen itu dokumennya apa".
_BACK_CLAUSE = re.compile(r"^\s*([^,.:;!?\n]+)[,.:;!?\n]+\s*(\S.*)$", re.DOTALL)
# The plain intent of each calculating twin (CALCULATED read backwards), for _twin.
_PLAIN_OF = {calculating: plain for plain, calculating in CALCULATED.items()}
# The premium answers a worker type leads to, and those with their calculating twins.
_WORKER_PREMIUMS = frozenset(PREMIUM_OF_WORKER.values())
# Where a message's clauses end, for phrases that must not span two ("diskon ga? bayarnya ...").
_CLAUSE_BREAK = re.compile(r"[?!.,;\n]+")
# The discount of the independent workers' premium, and the fact holding the discounted amount.
DISCOUNT_INTENT = "iuran_diskon"
DISCOUNTED_PREMIUM_FACT = "pp50_iuran_diskon"
UNTIL_WHEN = "sampai kapan"
# The discount named: "diskon 50% itu pp brp" quotes a figure of the discount, not of the premium.
DISCOUNT_WORDS = frozenset(["diskon", "discount"])
# Who pays, or bears a cost: "yg bayar sy ato pt", "yg nanggung siapa" (after these answers
# and the premiums, a question about the answer just given).
BEARING = frozenset(["nanggung", "tanggung", "menanggung", "ditanggung"])
EITHER_WORDS = frozenset(["atau", "ato", "apo", "ape"])
PAID_BY_WHOM = frozenset(["bayar_telat"])
# The agents' topic, and the words asking how something is done.
PERISAI_TOPIC = "perisai"
# What being an agent is and how to become one, which an agent introducing themself never asks.
AGENT_ROLE_INTENTS = frozenset(["perisai_apa", "perisai_jadi"])
REGISTRATION_TOPIC = "daftar"
# What the agency and its programmes are (bpjstk_apa, program_lima).
GENERAL_TOPIC = "umum"
# The five programmes side by side.
OVERVIEW_INTENT = "program_lima"
HOW_WORDS = frozenset(["cara", "bagaimana", "how", "gimana", "caranya"])
# "bpjs tk buat buruh sawit harian bisa tidak", "karyawan kontrak wajib didaftarin semua?":
# whether a kind of worker may (or must) join, in the words that ask it, the words that name
# joining, and the words of a price that would make it a premium question instead.
MAY_WORDS = frozenset(["bisa", "boleh", "wajib", "harus", "perlu", "can", "must"])
JOINING_WORDS = frozenset(
    ["bpjs", "ketenagakerjaan", "ikut", "daftar", "didaftarin", "didaftarkan", "peserta", "join"]
)
# "utk istri sy jg bisa?": whether someone may join, not what they would pay.
ASKS_TO_JOIN = MAY_WORDS | JOINING_WORDS
PRICE_WORDS = frozenset(
    ["berapa", "iuran", "bayar", "biaya", "premi", "persen", "harga", "murah", "mahal", "tarif",
     "sebulan", "how", "much", "cost", MONEY_TOKEN]
)  # fmt: skip
EMPLOYEE_WORDS = frozenset(["karyawan", "pegawai", "pekerja", "buruh", "honorer", "employee"])
# Words that reject the answer just given, in a correction ("bukan, maksud sy ...").
REJECTING = frozenset(["bukan", "salah", "keliru", "no", "not", "tidak", "wrong"])
# What joins the rejected and the meant in a correction: "bukan 30 tapi 23 org".
# ("salah ketik, 15 org maksudnya": "maksud" says what was meant, no other matter.)
CORRECTION_JOINERS = frozenset(["tapi", "tetapi", "melainkan", "but", "maksud", "maksudnya"])
# How to register, which a registration question naming a channel asks.
HOW_TO_JOIN = "daftar_cara"
# A channel named for registering ("bisa daftar tanpa aplikasi?"), which asks the way.
CHANNEL_PHRASES = (
    "tanpa aplikasi", "tanpa jmo", "tanpa hp", "tanpa android", "lewat kantor", "lewat jmo",
    "lewat aplikasi", "lewat agen", "lewat hp", "via jmo", "datang ke kantor",
)  # fmt: skip
# The channel of a registration ("lewat kantor", "tanpa aplikasi", "online"): the way asked.
WAY_WORDS = frozenset(
    ["tanpa", "lewat", "melalui", "via", "pakai", "online", "offline", "aplikasi", "jmo", "kantor"]
)
# Words naming an employer, whose share of a premium only employees have.
EMPLOYER_WORDS = frozenset(["perusahaan", "kantor", "pt", "majikan", "pemberi", "bos"])
_PREMIUM_ANSWERS = _WORKER_PREMIUMS | frozenset(CALCULATED.values())


@dataclass(frozen=True)
class EngineKnobs:
    """Thresholds chosen on the labelled development set (see `python -m bot eval`)."""

    accept: float = 0.42
    # Ask "which one?" when the two best are closer than this. Zero: never ask. On questions
    # written apart from the examples every margin above zero cost more answers than it saved;
    # a close runner-up is offered as an option on the answer instead (see_also_margin).
    clarify_margin: float = 0.0
    clarify_floor: float = 0.42
    see_also_margin: float = 0.06
    topic_bonus: float = 0.06
    # On top of the topic's bonus, for the intent just answered when the message is a short
    # continuation ("caranya?", "brp lama?", "kalau petani?"): it most often asks more of it.
    stay_bonus: float = 0.03
    # How far below the best a candidate about the programme the message names may be and win.
    programme_margin: float = 0.08
    low_confidence: float = LOW_CONFIDENCE
    # A long message carries the user's story around the question ("sy ART di jakarta, majikan
    # mau daftarin sy..."): its words are mostly not the examples' words, so its best score is
    # lower for the same certainty. From `long_words` words on, `accept_long` is the bar.
    long_words: int = 6
    accept_long: float = 0.38
    # A follow-up is short: at most this many words besides the amount, place or number.
    followup_words: int = 2
    # A message naming nothing of the domain (bot.domain) outside a conversation about it must
    # score this much to be answered: near-domain off-topic shares "daftar" or "bayar" with it.
    accept_undomain: float = 0.48
    # One clause of a message asking two things is short and read without fuzzy matching: it
    # counts as a question from this score on (the message as a whole has passed `accept`).
    accept_part: float = 0.36
    # A message about another matter (bot.domain.FOREIGN_WORDS: BLT, paspor, PDAM, UMR...) that
    # names nothing of the agency's own is answered only on a near-exact match.
    accept_foreign: float = 0.8
    # A message naming the agency's own matters (bot.domain.CORE_WORDS) is a real question:
    # its bar is the long messages' one.
    accept_core: float = 0.34
    # A short statement in a conversation ("terakhir bayar thn 2022") stays with the question
    # just answered unless another intent scores this much; one of up to `statement_words`
    # words stays when nothing else is good enough ("ga punya jmo, hp jadul").
    statement_switch: float = 0.7
    statement_words: int = 5
    # From this many words (besides amounts, places, numbers) a later turn of a conversation is
    # matched against the users' labelled questions too, not only the curated examples; shorter
    # ones ("sy peserta mandiri", "dak punya hp android") are statements or follow-ups, which the
    # questions would pull away from the topic.
    asked_later_words: int = 5
    # The menu asked for in a long message ("bantuan min, sy bingung mulai dr mana").
    accept_long_menu: float = 0.7


@dataclass(frozen=True)
class Outcome:
    """A reply and how it was reached, for logging what the bot did not understand."""

    reply: Reply
    normalized: str
    candidates: tuple[Candidate, ...] = ()
    kind: str = "answer"  # answer, clarify, fallback, select, followup
    entities: Entities = field(default_factory=Entities)
    # Every intent this reply answers: more than one when a message asked two things.
    answered: tuple[str, ...] = ()


# An age asked ("umur berapa", "usia brp", "mulai umur"), and the answer about the pension age.
AGE_ASKED = ("umur berapa", "usia berapa", "berapa umur", "berapa usia", "mulai umur")
PENSION_AGE_INTENT = "jp_usia_pensiun"
# Asking for the papers to bring, and the mark of an answer that lists them (every list of
# papers starts from the identity card).
PAPERS_WORDS = frozenset(
    ["dokumen", "berkas", "syarat", "persyaratan", "bawa", "dibawa", "siapkan", "disiapkan"]
)
PAPERS_MARK = "ktp"
OFFICE_HANDLER = "offices.region"
# Words around a place that ask for its office ("maumere ada?", "kantor di ende").
OFFICE_WORDS = frozenset(
    ["ada", "kantor", "cabang", "terdekat", "alamat", "tempat", "bpjs", "ketenagakerjaan"]
)
# "harus ke kupang?", "perlu datang ke kantor": going to a place, which its office answers.
GOING_WORDS = frozenset(["harus", "perlu", "wajib", "mesti", "datang", "pergi", "ke"])
# "kalau tambah jht?": a programme added to a premium.
# ("itu udh sama jht?", "termasuk jht?" ask whether the premium shown holds it, which that
# premium's answer tells beside its price with JHT.)
ADDING_WORDS = frozenset(
    ["tambah", "ditambah", "tambahin", "plus", "add", "sama", "termasuk", "include", "with"]
)
COUNTING_WORDS = frozenset(["berapa", "jumlah", "persen", "banyak", "peserta", "cakupan"])
# Words that only shape a question ("harus ke kantor?", "kok ga naik"): no word of its subject.
_MODAL_WORDS = frozenset(
    ["harus", "wajib", "perlu", "kok", "juga", "masih", "tetap", "sudah", "belum", "ada", "pakai"]
)
_PREFIXES = ("di", "ter", "ber", "me", "ke", "se")


def _root(word: str) -> str:
    """A word without a verb prefix ("dihitung" and "hitung" meet), for comparing words."""
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            return word[len(prefix) :]
    return word


class Engine:
    def __init__(
        self,
        knowledge: Knowledge,
        knobs: EngineKnobs | None = None,
        share_contact: str = "",
        gazetteer: Gazetteer | None = None,
        prepared: Mapping[str, Any] | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.knobs = knobs or EngineKnobs()
        # Which intents play a part beyond answering is the knowledge's to say (Intent.role):
        # those that recognise a message as off-topic (the reply is honest, and the result
        # counts as "not understood", never as an answer), and for each programme the intent
        # its name alone ("jht", "soal jkm") asks for: what it is.
        intents = knowledge.intents.values()
        self._off_topic = frozenset(i.id for i in intents if i.role == "off_topic")
        self._intro = {i.topic: i.id for i in intents if i.role == "intro"}
        # The discounted premium as figures are compared (bot.figures): "8400"; quoted after a
        # premium, it asks about the discount.
        self._discounted = frozenset(
            str(int(f.value)) for f in knowledge.facts.get(DISCOUNTED_PREMIUM_FACT, ())
        )
        self.share_contact = share_contact
        self._topic_words = self._words_by_topic()
        # The words that name a topic a user may come back to ("balik ke soal jht").
        self._reference_words = frozenset(
            {*PROGRAMME_WORDS.values(), *TOPIC_WORDS, *(i.topic for i in intents)}
        )
        self._renderings = Renderings()  # answers that depend only on the intent and the day
        self.normalize = Normalizer(knowledge.slang)
        self.extractor = EntityExtractor(knowledge.regions, knowledge.occupations, gazetteer)
        # The examples read like messages and the matcher's tables: stored by `bot build`
        # (bot.prepared), computed here when none were given.
        # Only their parts are kept (the stored form held the matcher's tables a second time).
        tables: Mapping[str, Any]
        if prepared is None:
            tables, self.matcher = self._prepare()
        else:
            tables, self.matcher = prepared, Matcher.from_tables(prepared["matcher"])
        self._stems: list[str] = list(tables["stems"])
        self._words: list[str] = list(tables["words"])
        self.normalize.extend_stems(self._stems)
        self.normalize.extend_vocabulary(self._words)
        self.normalize.split_run_together(self.extractor.is_place_word)
        self.extractor.vocabulary = set(self._words)
        # The curated examples' words, not the matcher's: the users' questions name places all
        # over Indonesia ("kantor bpjs medan"), and a known word is read as an everyday word.
        self._vocabulary = self.extractor.vocabulary
        # The words of each answer's title, and those only one topic's titles use (_asks_elsewhere).
        self._title_words = {
            i.id: frozenset(self.normalize(i.title.lower()).split()) for i in intents
        }
        topics_of: dict[str, set[str]] = {}
        for i in intents:
            for word in self._title_words[i.id]:
                topics_of.setdefault(word, set()).add(i.topic)
        self._own_title_words = frozenset(w for w, t in topics_of.items() if len(t) == 1)
        self._answer_vocabulary: dict[str, frozenset[str]] = {}
        self.cases = Cases(
            {i.id: i.topic for i in intents},
            self._intro,
            self._title_words,
            lambda intent: intent in self._off_topic or self._formulaic(intent),
            self.knobs.statement_switch,
        )
        # The answer about a place's office (_office_there).
        self._office_intent = next(
            (i.id for i in intents if i.handler == OFFICE_HANDLER and i.role != "off_topic"), None
        )
        # How people went on after an answer, when labelled conversations taught it: their
        # later turns read like messages, once the vocabulary is complete (stored by the build).
        self.continuations: ContinuationMemory | None = None
        if "continuations" in tables:
            self._remember([list(row) for row in tables["continuations"]])
        else:
            self.learn_continuations(knowledge.labelled_continuations())

    @property
    def tables(self) -> dict[str, Any]:
        """The prepared tables, as `bot build` stores them (bot.prepared)."""
        return {
            "stems": self._stems,
            "words": self._words,
            "matcher": self.matcher.tables(),
            "continuations": self.continuations.rows() if self.continuations else [],
        }

    def _prepare(self) -> tuple[dict[str, Any], Matcher]:
        knowledge = self.knowledge
        # The examples' own words first, so that "iurannya" in an example and "iurannya?" in a
        # message both read as "iuran" (a clitic comes off when the bare word is known).
        stems = sorted(
            {w for text, _ in knowledge.examples for w in text.lower().split() if w.isalpha()}
        )
        self.normalize.extend_stems(stems)
        normalized = [
            (self._example_text(text, intent), intent)
            for text, intent in knowledge.examples
            if intent in knowledge.intents
        ]
        words = sorted({w for text, _ in normalized for w in text.split()})
        matcher = Matcher(
            [(self.extractor.mask_places(t), i) for t, i in normalized],
            asked=self.asked_examples(),
        )
        return {"stems": stems, "words": words, "matcher": matcher.tables()}, matcher

    def asked_examples(self) -> list[tuple[str, str]]:
        """The users' labelled questions read as the examples are: matcher examples for a
        message read on its own, and training for the learned model (bot.matcher, `asked`)."""
        knowledge = self.knowledge
        return [
            (self.extractor.mask_places(self._example_text(text, intent)), intent)
            for text, intent in knowledge.labelled_questions()
            if intent in knowledge.intents
        ]

    def _words_by_topic(self) -> dict[str, frozenset[str]]:
        """Every word each topic's examples use, as written (a split, no normalising: cheap)."""
        by_topic: dict[str, set[str]] = {}
        for text, intent in self.knowledge.examples:
            if intent in self.knowledge.intents:
                words = by_topic.setdefault(self.knowledge.intents[intent].topic, set())
                words.update(w.strip("?,.!") for w in text.lower().split())
        return {topic: frozenset(words) for topic, words in by_topic.items()}

    def _example_text(self, text: str, intent: str) -> str:
        """Examples are read like messages: courtesies stripped, except the greetings' own."""
        normalized = self.normalize(spell_amounts(text))
        if self.knowledge.intents[intent].topic == "percakapan":
            return normalized
        return strip_courtesies(normalized)

    # -- public API ----------------------------------------------------------------------------

    def answer(self, text: str, session: Session, today: date) -> Reply:
        return self.respond(text, session, today).reply

    def select(self, option_id: str, session: Session, today: date) -> Reply:
        return self.choose(option_id, session, today).reply

    def respond(self, text: str, session: Session, today: date) -> Outcome:
        text = spell_amounts((text or "")[:MAX_INPUT_CHARS])
        if not text.strip():
            return self._fallback(session, "", (), prompt=True)
        choice = _CHOICE.match(text)
        number = int(choice.group(1)) if choice else 0
        if choice and self._numbered_on_screen(session) and 1 <= number <= len(session.numbered):
            # "2" right after the answer to "1. ... 2. ...": the user's own second question.
            earlier = self._earlier(session, session.numbered[number - 1])
            return self._recall(earlier, text, session, today)
        if choice and session.options:
            if 1 <= number <= len(session.options):
                return self.choose(session.options[number - 1].id, session, today)
            return self._not_an_option(number, session)
        if choice:
            # A bare number with nothing on screen to choose: not a question of its own.
            return self._fallback(session, "", (), prompt=True)
        if (picked := _CHOICE_WITH_DETAIL.match(text)) and session.options:
            # "no 2, sy lahir 1980": that option, answered with the details given beside it.
            number = int(picked.group(1))
            if 1 <= number <= len(session.options):
                session.memory[CLARIFIED] = picked.group(2)
                return self.choose(session.options[number - 1].id, session, today)
        session.memory.pop(CLARIFIED, None)
        normalized = self.normalize(text)
        # The case the message tells, kept for the talk (bot.cases).
        self.cases.note(normalized, session)
        if (recalled := self._recalled(normalized, session)) is not None:
            return self._recall(recalled, text, session, today, normalized)
        if (asked := self._back_to(text, session)) is not None:
            # "balik ke yg tadi, 10 persen itu dokumennya apa": that question, read within the
            # earlier topic.
            return self.respond(asked, session, today)
        if session.options and (position := ordinal_choice(normalized)) is not None:
            # "yg kedua", "pilihan 3": the option in that position.
            if 1 <= position <= len(session.options):
                return self.choose(session.options[position - 1].id, session, today)
            return self._not_an_option(position, session)
        entities = self._placed(
            text, normalized, self.extractor.extract(text, normalized, self._vocabulary), session
        )
        entities = self._dated(normalized, entities, session)
        self.cases.note(normalized, session, entities)
        core = strip_courtesies(normalized)
        if "?" not in text and (said := closing(normalized, bool(session.last_intent))) is not None:
            # "sip makasih min, lanjut narik dulu": the closing, not a detail of the last answer.
            core = said
        elif "?" not in text and (
            (opening := lone_greeting(normalized, partial(self._introduces, entities))) is not None
        ):
            # "tabe kraeng, sa mau tanya soal bpjs tenaga kerja": a greeting that has not asked
            # yet, answered as the greeting rather than read for a question it does not hold.
            core = opening
        more = asks_more(core) or asks_if_all(text, core)
        if more and any(o.id == DETAILS_OPTION.id for o in session.options):
            # "jelasin lagi", "lebih lengkap dong", "itu aja?" under an answer that has its
            # details one option away: that option, as if pressed.
            return self.choose(DETAILS_OPTION.id, session, today)
        if core in DIFFERENCE and session.recent:
            # "bedanya?" after answers on two programmes: the five programmes side by side,
            # one line each; after one answer, that answer again.
            programmes = {t.topic for t in session.recent[-2:]} & PROGRAMME_NAMES
            if len(programmes) == 2 and OVERVIEW_INTENT in self.knowledge.intents:
                return self._run(
                    OVERVIEW_INTENT, text, normalized, entities, session, today, (), "followup"
                )
            return self._recall(session.recent[-1], text, session, today, normalized)
        if asks_if_all(text, core) and session.recent:
            # "itu aja?" under an answer without details: it is all, so the answer again.
            return self._recall(session.recent[-1], text, session, today, normalized)
        if (
            asks_to_confirm(text, core)
            and session.recent
            and self._about_recent(entities, session)
            and self._figure_quoted(core, entities, session) is None
        ):
            # "serius 12 bln full?" after the work accident's benefits: the answer again, which
            # says it. A programme of its own named is a question of its own; an amount quoted
            # ("serius cm 8400?") is the answer that figure comes from (_figure_quoted).
            return self._recall(session.recent[-1], text, session, today, normalized)
        if asks_source(core) and session.memory.get(DETAILS_MEMORY):
            # "dasar aturannya PP nomor berapa" under an answer with its sources kept: them.
            return self.choose(SOURCES_OPTION.id, session, today)
        # "bukan itu, maksud saya yang karyawan": answer again, not with the intent just given.
        excluded = None
        if session.last_intent:
            core, corrected = strip_correction(core)
            if corrected:
                # "salah min, sy tanya yg jkp": courtesies after the rejection too.
                core = strip_courtesies(core)
            # "bukan, maksud sa berkas2nya apa saja": a facet of the same answer, not another;
            # "bukan 30 tapi 23 org": the same answer for another figure ("tapi" joins the two).
            facet = set(self._residual(core)) - CORRECTION_JOINERS <= GENERIC_FACETS
            excluded = session.last_intent if corrected and not facet else None
            if excluded and self._restates(core, entities, session, normalized):
                # "maksud sy bpjs kesehatan" right after the BPJS Kesehatan answer: the user
                # insists on what was answered, rather than rejecting it.
                excluded = None
            if corrected and session.recent and session.recent[-1].fresh:
                # "bukan itu, maksud sy yg karyawan" after a premium for 2 juta: the corrected
                # question, for the same amount and place.
                entities = self._carried(entities, session.recent[-1])
        # "btw tarif ojol naik ga": another subject, read on its own.
        core, new_subject = strip_subject_change(core)
        # "ada uang dr bpjs ga selain jht": not JHT, which the user knows of already.
        core, besides = strip_besides(core)
        if besides:
            entities = replace(
                entities, programmes=tuple(p for p in entities.programmes if p not in besides)
            )
        candidates = self._rank(core, entities, Session() if new_subject else session, excluded)
        if introduces_agent(core):
            # "sy agen perisai di bajawa, tukang bs ikut kan": an agent asks for the people
            # they enrol, not what an agent is or how to become one.
            candidates = tuple(c for c in candidates if c.intent not in AGENT_ROLE_INTENTS)
        if besides:
            intents = self.knowledge.intents
            others = tuple(
                c
                for c in candidates
                if c.intent not in intents or intents[c.intent].topic not in besides
            )
            candidates = others or candidates
        if excluded and (worker := self._worker_switch(core, entities, session, corrected=True)):
            # "eh maksud ku nelayan bukan petani": the premium again, for the worker meant.
            return self._answer_follow_up(
                worker, text, normalized, entities, session, today, candidates
            )
        if session.last_intent and not self._readable(core, entities):
            # "asdjkl" in a talk about JHT: no word the bot knows and nothing it can read (an
            # amount, a place, a year), so no follow-up either: the same fallback as alone.
            return self._fallback(session, normalized, candidates, entities=entities, today=today)
        intro = self._intro.get(
            PROGRAMME_WORDS.get(core) or programme_asked_about(core, PROGRAMME_WORDS) or "", ""
        )
        if core in BARE_TOPIC and session.last_topic != self._topic(BARE_TOPIC[core]):
            # "iuran" or "iurannya?" alone, outside a talk about premiums: the common premium
            # (within one, the matcher and the topic tell which premium it is).
            intro = session.memory.get(WORKER_PREMIUM) or BARE_TOPIC[core]
        if intro in self.knowledge.intents and (
            case := self._case_carries(core, entities, session)
        ):
            # "jht nya?" after "kontrak sy habis, dpt jkp?": the programme within the case the
            # talk opened (its claim after the job ended), not what the programme is.
            return self._answer_follow_up(
                case, text, normalized, entities, session, today, candidates
            )
        if (
            intro in self.knowledge.intents
            and session.last_intent
            and self._handler_name(session.last_intent) in PROGRAMME_FACETS
            and PROGRAMME_WORDS.get(core)
        ):
            # "jp nya?" alone after an employee's premium: that programme's share of the same
            # premium, which the premium's answer reads, not what the programme is.
            return self._answer_follow_up(
                session.last_intent, text, normalized, entities, session, today, candidates
            )
        if intro in self.knowledge.intents:
            return self._run(
                intro, text, normalized, entities, session, today, candidates, "answer"
            )
        # "cuaca di komodo besok bagus ka" after an office in Labuan Bajo, "bang BSU ada lagi"
        # after the discount: a message naming another matter (and none of the agency's) is
        # read on its own, never as a follow-up of the answer before it.
        # ("gaji umr 2,9jt" after an employee's premium still gives the wage for it.)
        contextual = not new_subject and (
            not names_foreign_matter(normalized.split())
            or any(a >= MIN_INCOME_AMOUNT for a in entities.amounts)
        )
        if contextual and (heads := self._person_added(core, entities, session)):
            # "klo sama ibu sy jg" after the premium for the father: the same premium for two.
            both = replace(entities, workers=heads)
            return self._answer_follow_up(
                self._twin(session.last_intent or "", both),
                text,
                normalized,
                both,
                session,
                today,
                candidates,
            )
        # Follow-up rules that read the message within the talk so far, in order of precedence.
        for rule in (
            self._months_at_once,
            self._figure_quoted,
            self._programme_in_premium,
            self._programme_added,
            self._case_carries,
            self._at_work_after,
            self._together_with,
            self._used_for,
            self._who_pays,
            self._online_claim,
            self._still_failing,
            self._office_there,
            self._worker_switch,
        ):
            if contextual and (followed := rule(core, entities, session)) is not None:
                # A calculation asked again another way is for the amounts already given.
                return self._answer_follow_up(
                    followed, text, normalized, entities, session, today, candidates
                )
        routed = self._follow_up(core, candidates, entities, session) if contextual else None
        if routed is not None and routed != excluded:
            # "kalau 10 orang?" after a premium for 2 juta: the same wage, ten workers.
            return self._answer_follow_up(
                routed, text, normalized, entities, session, today, candidates, any_answer=True
            )
        for rule in (self._same_again, self._income_next):
            if contextual and (followed := rule(core, entities, session)) is not None:
                return self._run(
                    followed, text, normalized, entities, session, today, candidates, "followup"
                )
        learned = self._continued(core, session, candidates) if contextual else None
        if learned is not None and (
            self._names_another_programme(learned, entities)
            or self._named_elsewhere(learned, core, entities, candidates)
        ):
            # "klo jht umur brp bs cair" after JP nearly repeats "klo jp umur brp bs cair",
            # but the programme it names is another: the remembered intent is not its.
            learned = None
        if learned is not None and learned != excluded and learned not in self._off_topic:
            # Nearly the words a user wrote after the same answer (bot.context_model): what
            # the rules above did not decide, the labelled conversations choose among the
            # matcher's best (an off-topic message is the fallback's to answer). "kalau bayar
            # setahun sekaligus?" after a premium for 2 juta is for 2 juta.
            return self._answer_follow_up(
                learned, text, normalized, entities, session, today, candidates
            )
        plain_top = candidates[0] if candidates else None
        greeting = (
            plain_top is not None
            and plain_top.score >= self.knobs.accept
            and self._formulaic(plain_top.intent)
            # "mulai bulan apa" after the discount shares "apa" with asking for the menu: in a
            # talk about something, the topic reads a short question first.
            and not (plain_top.intent == MENU_INTENT and self._in_conversation(session))
        )
        # A greeting, or another matter, is read on its own.
        read_alone = greeting or not contextual
        if not read_alone and (
            covered := self._answered_there(core, candidates, entities, session)
        ):
            return self._answer_follow_up(
                covered, text, normalized, entities, session, today, candidates
            )
        if not read_alone and (
            stated := self._statement_continues(text, core, candidates, entities, session)
        ):
            return self._run(
                stated, text, normalized, entities, session, today, candidates, "followup"
            )
        if not read_alone and (what_if := self._what_if(text, core, candidates, entities, session)):
            return self._run(
                what_if, text, normalized, entities, session, today, candidates, "followup"
            )
        if not read_alone and (context := self._context_words(core, entities, session)) is not None:
            # "syaratnya?" after a JKM claim: read the short message within the topic.
            with_topic = self._rank(f"{core} {context}", entities, session, excluded)
            if (
                with_topic
                and with_topic[0].score >= self.knobs.accept
                and not self._asks_elsewhere(core, candidates, session)
                # "pake nik saja ka" after reactivation already stays with it.
                and not self._stays(candidates, session)
            ):
                candidates = with_topic
        bar = (
            self.knobs.accept_long
            if len(core.split()) >= self.knobs.long_words
            else self.knobs.accept
        )
        # What the message names is read on all of it: "bisa masuk bpjs tk ko?" loses its
        # trailing "bpjs tk" to the courtesies (an address), but it still names the agency.
        named = normalized.split()
        if self._outside_domain(self._named(normalized), candidates, session):
            bar = max(bar, self.knobs.accept_undomain)
        harmed = self.cases.harm_at_work(normalized, entities, session)
        if names_foreign_matter(named):
            bar = max(bar, self.knobs.accept_foreign)
        elif harmed and candidates:
            # "temen sy ketimpa barang di gudang, yg hrs lapor siapa": harm the work did is the
            # work accident's matter however weakly the words read (bot.cases answers it).
            bar = 0.0
        elif entities.occupation is not None and entities.age is not None and candidates:
            # "mama saya jualan ikan di pasar, umurnya 61 tahun": a worker and an age told ask
            # whether that person may still join, however weakly the words read.
            bar = 0.0
        elif names_agency_matter(named) or harmed or names_job_ended(normalized):
            # It names the agency's own matters (JHT, iuran, JMO...): the fallback would only
            # leave a real question unanswered.
            bar = min(bar, self.knobs.accept_core)
        elif (
            candidates
            and not new_subject
            and session.last_intent in self.knowledge.intents
            and not self._formulaic(session.last_intent)
            and self._topic(candidates[0].intent) == self._topic(session.last_intent)
        ):
            # "what about if i quit after a year" after what JHT is: a weak reading that
            # stays within the topic under discussion is a follow-up, not another matter.
            bar = min(bar, self.knobs.accept_core)
        migrant = self._migrant_terms(core, entities, session)
        if migrant and candidates:
            # "hrs pulang dulu utk perpanjang bpjs nya?" from a worker in Taiwan: the terms of a
            # migrant's membership, however weakly the words read.
            bar = 0.0
        if not candidates or candidates[0].score < bar:
            return self._fallback(session, normalized, candidates, entities=entities, today=today)
        if migrant:
            candidates = (replace(candidates[0], intent=MIGRANT_PREMIUM), *candidates[1:])
        top = self._may_join(
            self._aged(
                self._worker_premium(candidates[0], core, entities, session), core, entities
            ),
            core,
            entities,
        )
        top = self._pension_age_asked(top, core, entities, candidates)
        top = self.cases.read(top, candidates, normalized, entities, session)
        top = replace(
            top, intent=self.cases.unpaid(top.intent, partial(self._clauses, text, normalized))
        )
        if top.intent in self._off_topic:
            return self._fallback(
                session, normalized, candidates, off_topic=True, entities=entities, today=today
            )
        also = self._second_question(text, core, top, entities, session, excluded)
        answered: tuple[str, ...] = ()
        if also is not None and self._numbered_first(text, entities, session) == also:
            # "1) ... 2) ...": the user's first question is answered, the second offered first
            # among the options, so that "2" afterwards is the user's second question.
            top, also = replace(top, intent=also), self._twin(top.intent, entities)
        if also is not None:
            answered = (top.intent, also)
            # Numbered questions keep their numbers for later: "ok skrg yg 1".
            session.numbered = list(answered) if first_numbered(text) else []
        elif len(candidates) > 1:
            second = candidates[1]
            close = top.score - second.score
            if (
                close < self.knobs.clarify_margin
                and second.score >= self.knobs.clarify_floor
                and second.intent not in self._off_topic
            ):
                # The chosen option is answered with this question's amounts and places.
                session.memory[CLARIFIED] = text
                return self._clarify(top, second, normalized, candidates, session, entities)
            if (
                close < self.knobs.see_also_margin
                and second.score >= self.knobs.accept
                and not self._formulaic(second.intent)
                and not self._formulaic(top.intent)
            ):
                also = second.intent
        carried = False
        if (
            top.intent == session.last_intent
            and also is None
            and len(self._residual(core)) <= self.knobs.followup_words + 1
        ):
            # "yg perusahaan brp" after the employees' premium for 15 juta: the same
            # calculation asked again another way is for the wage already given.
            entities, carried = self._remembered_amounts(top.intent, entities, session)
        return self._run(
            top.intent,
            text,
            normalized,
            entities,
            session,
            today,
            candidates,
            "answer",
            also=also,
            answered=answered,
            carried=carried,
        )

    def learn_continuations(self, turns: Iterable[tuple[str, str, str]]) -> None:
        """Learn how people went on after an answer from labelled conversations' later turns,
        (previous intent, message, intent), read as messages are (bot.context_model)."""
        self._remember(
            [
                [previous, self._continuation_text(message), intent]
                for previous, message, intent in turns
                if previous in self.knowledge.intents
                and all(i in self.knowledge.intents for i in intent.split("|"))
            ]
        )

    def _remember(self, rows: list[list[str]]) -> None:
        self.continuations = (
            ContinuationMemory(Continuation(*row) for row in rows) if rows else None
        )

    def _continuation_text(self, message: str) -> str:
        return strip_courtesies(self.normalize(spell_amounts(message)))

    def _continued(
        self, core: str, session: Session, candidates: tuple[Candidate, ...]
    ) -> str | None:
        if self.continuations is None or not session.last_intent or not candidates:
            return None
        return self.continuations.recall(session.last_intent, core, [c.intent for c in candidates])

    def _names_another_programme(self, intent_id: str, entities: Entities) -> bool:
        """True when an intent is about a programme and the message names only others."""
        topic = self._topic(intent_id)
        return bool(entities.programmes) and (
            topic in PROGRAMME_NAMES and topic not in entities.programmes
        )

    def _named_elsewhere(
        self, intent_id: str, core: str, entities: Entities, candidates: tuple[Candidate, ...]
    ) -> bool:
        """True when the message names a matter (a programme, the agents) that the matcher's
        best answer is about and `intent_id` is not: "jht yg udh sy bayar bisa diambil klo
        berhenti?" after how to stop paying asks JHT's claim, whatever the talk made of
        "berhenti" before."""
        named = set(entities.programmes)
        if PERISAI_TOPIC in core.split():
            named.add(PERISAI_TOPIC)
        if not named or not candidates:
            return False
        best = self._topic(candidates[0].intent)
        # (A programme named in a talk about premiums is a part of the premium: "yg 16.800 td
        # udh termasuk jht?".)
        kept = self._topic(intent_id)
        return best in named and kept not in named and kept != PREMIUM_TOPIC

    def _introduces(self, entities: Entities, words: list[str]) -> bool:
        """True when the words say only who and where the user is ("saya dari lhokseumawe",
        "saya ojek di gorontalo"): the place or the work found in them, and words around those
        that are no matter of any answer (a place name the examples never use)."""
        if not (entities.regions or entities.outside or entities.occupation):
            return False
        named = _place_words(entities) | set((entities.occupation or "").split())
        return all(
            w in INTRODUCTION_WORDS or w in named or w not in self._vocabulary for w in words
        )

    def _answer_follow_up(
        self,
        intent_id: str,
        text: str,
        normalized: str,
        entities: Entities,
        session: Session,
        today: date,
        candidates: tuple[Candidate, ...],
        any_answer: bool = False,
    ) -> Outcome:
        """A follow-up answered by `intent_id`. One that gives no amount of its own, answered by
        a calculation from an income or a wage, is for the amounts the conversation gave."""
        carried = False
        # (Not into a plain answer with a calculating twin, iuran_bpu: given amounts it would
        # turn into its calculation, which only the follow-up reading of _follow_up means.)
        if any_answer or intent_id not in CALCULATED:
            entities, carried = self._remembered_amounts(intent_id, entities, session)
        return self._run(
            intent_id,
            text,
            normalized,
            entities,
            session,
            today,
            candidates,
            "followup",
            carried=carried,
        )

    def _remembered_amounts(
        self, intent_id: str, entities: Entities, session: Session
    ) -> tuple[Entities, bool]:
        """The amounts the conversation gave (and True) for a message that gives none and is
        answered by a calculation from an income or a wage, else the entities as they are.
        (Stored sessions are masked: a NIK taken for an amount is "[nomor]", no amount.)"""
        remembered = session.memory.get(AMOUNTS)
        if entities.amounts or not remembered or intent_id not in self.knowledge.intents:
            return entities, False
        takes = FOLLOWUP_ENTITY.get(self._handler_name(intent_id), ())
        if not {"income", "wage"} & set(takes):
            return entities, False
        kept = tuple(int(a) for a in remembered.split() if a.isdigit())
        heads = session.memory.get(HEADS, "")
        workers = entities.workers
        if workers is None and heads.isdigit():
            workers = int(heads)
        return replace(entities, amounts=kept, workers=workers), bool(kept)

    def _named(self, normalized: str) -> list[str]:
        """The message's words, and the known words its misspelt ones were read as when it was
        ranked: "pembayran" names the domain as "pembayaran" does. Only for whether it names
        the domain at all: read as the agency's own matters, a correction could outvote another
        matter's word ("pupuk di kios" is not about "kis", the BPJS Kesehatan card)."""
        words = normalized.split()
        return words + [c for w in words if (c := self.matcher.remembered(w)) and c != w]

    def _outside_domain(
        self, words: list[str], candidates: tuple[Candidate, ...], session: Session
    ) -> bool:
        """A question that names nothing of the domain, asked outside a conversation about it."""
        if not candidates or self._formulaic(candidates[0].intent):
            return False
        last = session.last_intent
        if last and last in self.knowledge.intents and not self._formulaic(last):
            return False
        # An injury or a death at work is JKK's matter whatever words tell it.
        if names_domain(words) or names_bot_itself(words):
            return False
        return not names_work_harm(" ".join(words))

    def _topic_of(
        self, intent_id: str, entities: Entities, session: Session, reply: Reply
    ) -> Topic:
        """What an answer was given for, to give it again later. Amounts of nine digits or more
        are not kept: stored text masks such runs too (a phone number or a NIK read as one)."""
        return Topic(
            intent=intent_id,
            topic=self._topic(intent_id),
            worker=session.memory.get(WORKER_PREMIUM, ""),
            amounts=[a for a in entities.amounts[:5] if len(str(a)) < 9],
            region=entities.regions[0] if entities.regions else "",
            elsewhere=list(entities.outside[0]) if entities.outside else [],
            options=list(reply.options),
        )

    def _carried(self, entities: Entities, topic: Topic) -> Entities:
        """A message's entities, with the amounts and the place of an earlier answer where the
        message names none of its own."""
        if not entities.amounts and topic.amounts:
            entities = replace(entities, amounts=tuple(topic.amounts))
        if not (entities.regions or entities.outside or entities.ambiguous_regions):
            if topic.region:
                entities = replace(entities, regions=(topic.region,))
            elif len(topic.elsewhere) == 2:
                entities = replace(entities, outside=((topic.elsewhere[0], topic.elsewhere[1]),))
        return entities

    def _place_from_talk(self, entities: Entities, session: Session) -> Entities:
        """For an answer about a place, the place the user named earlier in the conversation
        when the message names none: "sy petani di ende, iuran brp", then "kantornya dimana"
        is the office for Ende (the bot never asks where after it was told)."""
        if entities.regions or entities.outside or entities.ambiguous_regions:
            return entities
        for topic in reversed(session.recent):
            if topic.region or len(topic.elsewhere) == 2:
                # Its place only: the amounts of that answer are not this one's.
                return self._carried(entities, replace(topic, amounts=[]))
        return entities

    def _numbered_on_screen(self, session: Session) -> bool:
        """True when the answer on screen is the first of the user's numbered questions."""
        return bool(session.numbered) and session.last_intent == session.numbered[0]

    def _recalled(self, normalized: str, session: Session) -> Topic | None:
        """An earlier answer the message comes back to: the user's numbered question ("ok skrg
        yg 1"), or an answer before the one on screen ("balik ke yg tadi soal jht")."""
        if session.numbered and (position := numbered_position(normalized)) is not None:
            if position > len(session.numbered):
                return None
            return self._earlier(session, session.numbered[position - 1])
        if session.recent and asks_again(normalized, self._reference_words):
            # "ulang": the answer on screen again; "ulang yg jkk": the latest about JKK.
            among = session.recent
        elif len(session.recent) > 1 and points_back(normalized, self._reference_words):
            among = session.recent[:-1]
        else:
            return None
        named = {PROGRAMME_WORDS.get(w, w) for w in normalized.split()} & self._reference_words
        return next((t for t in reversed(among) if not named or t.topic in named), None)

    def _back_to(self, text: str, session: Session) -> str | None:
        """The question after a clause pointing back ("balik ke yg tadi, ..."), with the
        session turned back to that earlier answer; None when the message does not start so."""
        asked = None
        # Every leading clause that points back ("tadi, yg tadi, ..."), read once each: the
        # question after them is answered once, whatever a flood repeats before it.
        while (match := _BACK_CLAUSE.match(text)) is not None:
            topic = self._recalled(self.normalize(match.group(1)), session)
            if topic is None or topic.intent not in self.knowledge.intents:
                break
            session.last_intent, session.last_topic = topic.intent, topic.topic
            session.options = list(topic.options)
            asked = text = match.group(2)
        return asked

    def _earlier(self, session: Session, intent_id: str) -> Topic:
        for topic in reversed(session.recent):
            if topic.intent == intent_id:
                return topic
        return Topic(intent_id, self._topic(intent_id))

    def _about_recent(self, entities: Entities, session: Session) -> bool:
        """True when the message names no programme, or only the answer on screen's."""
        last = session.recent[-1].topic if session.recent else None
        return all(p == last for p in entities.programmes)

    def _recall(
        self,
        topic: Topic,
        text: str,
        session: Session,
        today: date,
        normalized: str = "",
    ) -> Outcome:
        """An earlier answer given again, for the worker, amounts and place it was given for."""
        if topic.intent not in self.knowledge.intents:
            return self._fallback(session, normalized, ())
        entities = self._carried(Entities(), topic)
        if topic.worker:
            session.memory[WORKER_PREMIUM] = topic.worker
        return self._run(topic.intent, text, normalized, entities, session, today, (), "followup")

    def _worker_switch(
        self, core: str, entities: Entities, session: Session, corrected: bool = False
    ) -> str | None:
        """ "sy karyawan pabrik" after a premium: the premium of the worker just named. Corrected
        ("eh maksud ku nelayan bukan petani, ku melaut kek perahu kecil"), it is that premium
        again, however long the correction and whether or not the premium changes."""
        last = session.last_intent
        if last not in _PREMIUM_ANSWERS or (
            not corrected and len(self._residual(core)) > self.knobs.followup_words + 1
        ):
            return None
        named = workers_named(core)
        if not named and entities.occupation:
            named = [INDEPENDENT_PREMIUM]
        target = named[0] if named else None
        if target is None or target not in self.knowledge.intents:
            return None
        if not corrected and self._twin(target, entities) == self._twin(last, entities):
            return None
        return target

    def _stays(self, candidates: tuple[Candidate, ...], session: Session) -> bool:
        """True when the message alone is answered by the answer just given."""
        top = candidates[0] if candidates else None
        return (
            top is not None and top.intent == session.last_intent and top.score >= self.knobs.accept
        )

    def _in_conversation(self, session: Session) -> bool:
        last = session.last_intent
        return last in self.knowledge.intents and not self._formulaic(last)

    def _worker_premium(
        self, top: Candidate, core: str, entities: Entities, session: Session
    ) -> Candidate:
        """The premium of the worker the user said they are, when a premium question names
        no worker: "sy di Taiwan, jadi pmi" then "iuran sy disini brp" is the migrants' one."""
        remembered = session.memory.get(WORKER_PREMIUM)
        if remembered is None and session.last_intent and not EMPLOYER_WORDS & set(core.split()):
            # "brp bayarnya" right after the migrant workers' premium: the worker under
            # discussion is the one whose premium was just answered (unless the message names
            # an employer's share: "yg dibayar perusahaan brp" is the employees' premium).
            last = self._twin(session.last_intent, Entities())
            remembered = last if last in _WORKER_PREMIUMS else None
        plain = self._twin(top.intent, Entities())
        named = set(workers_named(core))
        if plain in _WORKER_PREMIUMS and len(named) == 1 and plain not in named:
            # "jht bpu brp persen" reads as the employees' percentages, but the worker it
            # names is an independent one: that worker's premium.
            (own,) = named
            return replace(top, intent=own) if own in self.knowledge.intents else top
        if remembered not in self.knowledge.intents or plain not in _WORKER_PREMIUMS:
            return top
        if plain == PREMIUM_OF_WORKER["karyawan"] and EMPLOYER_WORDS & set(core.split()):
            # "perusahaan tambang potong gaji brp persen" after "sy dulu peserta mandiri": what
            # an employer deducts is the employees' premium, whoever the user was before.
            return top
        if entities.occupation or named:
            return top
        return top if plain == remembered else replace(top, intent=remembered)

    def _migrant_terms(self, core: str, entities: Entities, session: Session) -> bool:
        """True when a migrant worker (the one this message or the talk is about: "sy pmi di
        taiwan", "anak sy di sabah") asks about the terms of their membership: when to pay, a
        contract extended, a departure delayed, JHT added (followup.asks_migrant_terms)."""
        if MIGRANT_PREMIUM not in self.knowledge.intents or not asks_migrant_terms(core):
            return False
        if names_foreign_matter(core.split()):
            # "visa hongkong perpanjangnya dmn ya": another office's matter.
            return False
        if set(entities.programmes) - {"jht"} or entities.occupation:
            # "jkk nya brp persen" asks about that programme; "kalau dia petani?" another worker.
            return False
        named = workers_named(core)
        if named:
            return named[0] == MIGRANT_PREMIUM
        return session.memory.get(WORKER_PREMIUM) == MIGRANT_PREMIUM

    def _pension_age_asked(
        self, top: Candidate, core: str, entities: Entities, candidates: tuple[Candidate, ...]
    ) -> Candidate:
        """ "umur berapa sih bisa dapat pensiun bulanan": an age asked of the pension is the
        pension age, however strongly "pensiun bulanan" reads as the pension's amount. An age
        told ("umur sy 57") or another programme named is not asking one."""
        if "pensiun" not in core.split() or entities.age is not None or entities.birth_year:
            return top
        if any(p != "jp" for p in entities.programmes):
            return top
        padded = f" {core} "
        if not any(f" {phrase} " in padded for phrase in AGE_ASKED):
            return top
        if not any(c.intent == PENSION_AGE_INTENT for c in candidates):
            return top
        return replace(top, intent=PENSION_AGE_INTENT)

    def _aged(self, top: Candidate, core: str, entities: Entities) -> Candidate:
        """ "sy mau daftarin ortu sy petani umur 66": an age told with a registration question
        decides whether that person may join at all, the answer AGE_NEXT names."""
        topic = self._topic(top.intent)
        target = AGE_NEXT.get(topic)
        if entities.age is None or target is None or target not in self.knowledge.intents:
            return top
        # (Not a would-be agent's age, nor a question asking how: "umur 58, mau sy daftarkan,
        # gmn caranya" asks the way.)
        if topic == PERISAI_TOPIC or HOW_WORDS & set(self._residual(core)):
            return top
        return replace(top, intent=target)

    def _may_join(self, top: Candidate, core: str, entities: Entities) -> Candidate:
        """ "bpjs tk gasan petani karet kawa kah": whether a kind of worker may join, asked
        without a price, is who may join (AGE_NEXT's answer), not that worker's premium nor what
        the agency is, which the worker's name and "bpjs tk" alone would match."""
        target = AGE_NEXT.get(REGISTRATION_TOPIC)
        if target is None or target not in self.knowledge.intents:
            return top
        if top.intent == target:
            padded = f" {core} "
            if HOW_TO_JOIN in self.knowledge.intents and any(
                f" {p} " in padded for p in CHANNEL_PHRASES
            ):
                # "bisa daftar tanpa aplikasi?": whether one may register that way is the way.
                return replace(top, intent=HOW_TO_JOIN)
            return top
        # (A construction project's premium is how its workers are registered: not this. How to
        # register is, asked whether one may: "ada 3 tukang batu mau daftar, tukang bs ikut kan".)
        if top.intent not in _WORKER_PREMIUMS and self._topic(top.intent) not in (
            GENERAL_TOPIC,
            REGISTRATION_TOPIC,
        ):
            return top
        words = set(core.split())
        worker = entities.occupation is not None or bool(words & EMPLOYEE_WORDS)
        if not worker or not words & MAY_WORDS or not words & JOINING_WORDS:
            return top
        if words & PRICE_WORDS or entities.amounts or HOW_WORDS & words:
            return top
        if self._topic(top.intent) == REGISTRATION_TOPIC and words & WAY_WORDS:
            # "bisa daftar tanpa aplikasi?" asks the way to register, not who may.
            return top
        return replace(top, intent=target)

    def _same_again(self, core: str, entities: Entities, session: Session) -> str | None:
        """What continues the answer just given without naming it: "jadi 8400?" or "jadi
        sebulan bayar brp" after the discount, "bisa sekaligus 5 org?" after how an agent
        enrols, "umurnya 62" after registering (whether that age may join)."""
        last = session.last_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last):
            return None
        if entities.programmes:
            return None
        residual = set(self._residual(core))
        words = core.split()
        if (
            words[:1] == [SO_THEN]
            and residual <= SO_THEN_WORDS
            and not any(a >= MIN_INCOME_AMOUNT for a in entities.amounts)
            and (entities.amounts or "berapa" in words)
        ):
            return last
        takes = FOLLOWUP_ENTITY.get(self._handler_name(last), ())
        if entities.workers is not None and not entities.amounts and not takes:
            return last if residual <= GROUP_WORDS else None
        if (
            entities.age is not None
            and not entities.amounts
            and not residual - {"umur", "umurnya", "usia", "usianya"}
            and (target := AGE_NEXT.get(session.last_topic or "")) in self.knowledge.intents
        ):
            return target
        return None

    def _income_next(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "gaji sy 1,8jt" right after how to register: that worker's premium, calculated."""
        target = INCOME_NEXT.get(session.last_topic or "")
        if target is None or target not in self.knowledge.intents:
            return None
        if not any(a >= MIN_INCOME_AMOUNT for a in entities.amounts) and not (
            # "brp sebulan" right after who may join: what it costs, nothing else asked.
            "berapa" in core.split() and not self._residual(core)
        ):
            return None
        if len(self._residual(core)) > self.knobs.followup_words:
            return None
        named = workers_named(core)
        if not named and (remembered := session.memory.get(WORKER_PREMIUM)):
            # "sy karyawan" two turns back, then "brp sebulan": the employees' premium.
            named = [remembered]
        return named[0] if named and named[0] in self.knowledge.intents else target

    def _months_at_once(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "12 bulan", "kalau setahun?" right after an independent worker's premium: that
        premium paid for those months at once, calculated (handlers.premiums.pay_ahead)."""
        last = session.last_intent or ""
        if entities.amounts or months_alone(core) is None:
            return None
        if last in PRICED_AFTER and "berapa" in core.split():
            return PRICED_AFTER[last]
        if last not in CALCULATED and last not in _PLAIN_OF:
            return None
        return CALCULATED.get(last, last)

    def _figure_quoted(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "332.500 itu sekali bayar?" after the migrant workers' premium, "59? bkn 56?" after
        the pension age: a short question about a figure the last answer showed asks about
        that answer (bot.figures)."""
        last = session.last_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last):
            return None
        if self._topic(last) in NO_CONTINUATION or entities.workers or entities.occupation:
            # "klo 2 org?": a head count asks for a calculation, not about the figure.
            return None
        if any(p != self._topic(last) for p in entities.programmes):
            return None
        short = len(self._residual(core)) <= self.knobs.followup_words + 3
        if (
            short
            and self._topic(last) == PREMIUM_TOPIC
            and last != DISCOUNT_INTENT
            and DISCOUNT_INTENT in self.knowledge.intents
            and (
                not quoted(core, entities.amounts).isdisjoint(self._discounted)
                or f" {UNTIL_WHEN} " in f" {core} "
            )
        ):
            # "8.400 itu sampe kapan", "lah katanya 8400" after a premium: the discounted
            # premium quoted (shown or heard of) asks about the discount, its period above all;
            # so does "sampai kapan" ("kok murah, itu sampai kapan"): a premium has no end date,
            # its discount has.
            return DISCOUNT_INTENT
        if not quotes_shown(core, entities.amounts, session.memory.get(SHOWN, "")):
            return None
        if DISCOUNT_INTENT in self.knowledge.intents and not DISCOUNT_WORDS.isdisjoint(
            core.split()
        ):
            return DISCOUNT_INTENT
        return last if short else None

    def _person_added(self, core: str, entities: Entities, session: Session) -> int | None:
        """ "klo sama ibu sy jg", "plus istri" right after an independent worker's premium (or
        its calculation): the head count with one more person of the family, or None."""
        last = session.last_intent or ""
        if last not in CALCULATED and last not in _PLAIN_OF:
            return None
        if entities.programmes or entities.occupation:
            return None
        if entities.workers:
            # "sa pu mama juga mau ikut, jadi dua org brp": the head count told, and its sum
            # asked, is the same calculation for them, however long the message.
            return entities.workers if "berapa" in core.split() else None
        words = self._residual(core)
        if not FAMILY_WORDS & set(words) or not WITH_PERSON_WORDS & set(core.split()):
            return None
        if len(words) > self.knobs.followup_words + 2 or ASKS_TO_JOIN & set(words):
            # "utk istri sy jg bisa?": whether she may join, not what two would pay.
            return None
        heads = session.memory.get(HEADS, "")
        return (int(heads) if heads.isdigit() else 1) + 1

    def _programme_in_premium(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "jht nya wajib?" after the migrant workers' premium, "jht utk pmi wajib ga": is that
        programme part of the premium (of the worker named, or of the premium just shown)."""
        if len(entities.programmes) != 1:
            return None
        words = [w for w in self._residual(core) if w not in PROGRAMME_WORDS]
        workers = workers_named(" ".join(words))
        asked = [w for w in words if not names_worker(w) and w not in QUESTION_FILLERS]
        if not asked or not set(asked) <= IN_PREMIUM_WORDS:
            return None
        if workers:
            return workers[0] if workers[0] in self.knowledge.intents else None
        last = session.last_intent
        if session.last_topic != PREMIUM_TOPIC or last not in self.knowledge.intents:
            return None
        return last

    def _programme_added(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "klo tambah jht?" after the migrant workers' premium (which lists JHT's share) or
        after the ojol discount (the independent workers' premium with JHT added): a programme
        added to the premium just shown."""
        last = session.last_intent
        if session.last_topic != PREMIUM_TOPIC or last not in self.knowledge.intents:
            return None
        if len(entities.programmes) != 1 or not ADDING_WORDS & set(core.split()):
            return None
        asked = [w for w in self._residual(core) if w not in PROGRAMME_WORDS]
        if len(asked) > self.knobs.followup_words:
            return None
        if last in _WORKER_PREMIUMS or "programme" in FOLLOWUP_ENTITY.get(
            self._handler_name(last), ()
        ):
            return last
        return INDEPENDENT_PREMIUM if INDEPENDENT_PREMIUM in self.knowledge.intents else None

    def _case_carries(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "jht nya jg bisa diambil?" after a death benefit: the heirs' JHT (CASE_INTENT)."""
        # The case stays the conversation's while its answers are recent: "jht nya jg bisa
        # diambil?" after the death benefit, then the JKK one for the same death and its claim.
        opened = [session.last_intent or "", *(t.intent for t in reversed(session.recent))]
        case = next((CASE_OF[i] for i in opened if i in CASE_OF), None)
        if case is None:
            # "dulu kerja sampai 2020, lalu berhenti" told, then "jht saya masih bisa?" after
            # the pension: the case told carries though no answer of it was given.
            case = next((c for c in TOLD_CASES if c in session.memory), None)
        if case is None or len(entities.programmes) != 1:
            return None
        target = CASE_INTENT.get((case, entities.programmes[0]))
        if target is None or target not in self.knowledge.intents:
            return None
        asked = [w for w in self._residual(core) if w not in PROGRAMME_WORDS]
        # "jht nya gmn": the programme and filler only ("gimana" is one) ask the same.
        if not set(asked) <= TAKING_WORDS | GENERIC_FACETS:
            return None
        if not asked and case not in session.memory and WORK_HARM not in session.memory:
            # "jkm", then "jht": a user going through the programmes by name, who told no
            # death and no job lost, asks what the next one is.
            return None
        return target

    def _at_work_after(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "tapi meninggalnya waktu kerja di kebun" after the death benefit: telling that the
        harm was at work, with no question word of its own, asks the question just answered
        again, as a work accident (its claim after the JKM claim)."""
        instead = AT_WORK_INSTEAD.get(session.last_intent or "")
        if instead is None or instead not in self.knowledge.intents:
            return None
        if entities.programmes or not names_work_harm(core):
            return None
        # `core` has lost its "?": only the question words tell a new question here.
        return instead if is_statement(core, core) else None

    def _together_with(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "bs dicairkan bareng jht?" after JP: a short question about the programme under
        discussion, with another one named beside it."""
        last = session.last_intent
        if len(entities.programmes) != 1 or last not in self.knowledge.intents:
            return None
        topic = self._topic(last)
        if topic not in PROGRAMME_NAMES or topic == entities.programmes[0]:
            return None
        words = core.split()
        if not any(w in TOGETHER_WORDS for w in words):
            return None
        asked = [w for w in self._residual(core) if w not in PROGRAMME_WORDS]
        if not [w for w in asked if w not in TOGETHER_WORDS]:
            # "sekalian jkm nya brp" after the JHT heirs: nothing is asked of the programme
            # under discussion, only of the one named ("while at it, JKM's amount").
            return None
        return last if len(asked) <= self.knobs.followup_words + 1 else None

    def _used_for(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "dpt dipakai utk klaim jkm jg?" after Lapak Asik: what that service is used for."""
        last = session.last_intent
        if not self._in_conversation(session) or len(entities.programmes) > 1:
            return None
        words = core.split()
        if not any(w in USE_WORDS for w in words):
            return None
        asked = [w for w in self._residual(core) if w not in PROGRAMME_WORDS and w not in USE_WORDS]
        return last if len(asked) <= self.knobs.followup_words else None

    def _online_claim(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "klaim online bs?" after the JKM claim: where that claim is made online."""
        service = ONLINE_CLAIM.get(self._topic(session.last_intent or ""))
        if service not in self.knowledge.intents or entities.programmes:
            return None
        words = self._residual(core)
        if not ONLINE_WORDS & set(words):
            return None
        asked = [w for w in words if w not in ONLINE_WORDS and w not in GENERIC_FACETS]
        return service if len(asked) <= 1 else None

    def _still_failing(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "udah install ulang tetep gabisa" after how to use JMO: the self-help did not work,
        and the official contacts are the next step."""
        if session.last_intent not in SELF_HELP_ANSWERS or entities.programmes:
            return None
        if CONTACT_INTENT not in self.knowledge.intents:
            return None
        return CONTACT_INTENT if still_failing(core.split()) else None

    def _office_there(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "maumere ada?" after how to register: a place named alone after an answer that
        reads no place asks for the office there (the answer again would ignore the place)."""
        last = session.last_intent
        office = self._office_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last) or not office:
            return None
        if not (entities.regions or entities.outside or entities.ambiguous_regions):
            return None
        if "region" in FOLLOWUP_ENTITY.get(self._handler_name(last), ()):
            return None
        if entities.amounts or entities.programmes or entities.occupation or entities.workers:
            return None
        if COUNTING_WORDS & set(core.split()):
            # "di belu brp yg su ikut": the place's figures, not its office.
            return None
        # "apakah harus ke banda aceh?": going there, and the place's own words, ask nothing
        # but the office.
        told = OFFICE_WORDS | GOING_WORDS | GENERIC_FACETS | QUESTION_TAGS | _place_words(entities)
        return None if any(w not in told for w in self._residual(core)) else office

    def _who_pays(self, core: str, entities: Entities, session: Session) -> str | None:
        """ "yg bayar sy ato pt" after the migrant workers' premium, "yg nanggung siapa" after
        paying late: who pays is a question about the answer just given."""
        last = session.last_intent or ""
        if last not in _PREMIUM_ANSWERS and last not in PAID_BY_WHOM:
            return None
        words = set(core.split())
        asks_who = "siapa" in words or bool(EITHER_WORDS & words)
        if not asks_who or not (PAYING | BEARING) & words or entities.programmes:
            return None
        if len(self._residual(core)) > self.knobs.followup_words + 1:
            return None
        return last

    def _names_top_topic(self, words: list[str], top: str, last: str) -> bool:
        """True when a word of the message belongs to the top candidate's topic, not the last's."""
        mine = self._topic_words.get(self.knowledge.intents[top].topic, frozenset())
        before = self._topic_words.get(self.knowledge.intents[last].topic, frozenset())
        return any(w in mine and w not in before for w in words)

    def _asks_elsewhere(
        self, core: str, candidates: tuple[Candidate, ...], session: Session
    ) -> bool:
        """True when a short message clearly asks another topic's question ("dmn kantornya? ku
        di Sungailiat" after reactivation): a confident answer whose title the message names
        ("Kantor cabang"), not the last answer's. ("buka jam brp" after 175 names no title:
        the hours are a facet of any answer.)"""
        top = candidates[0] if candidates else None
        last = session.last_intent
        if top is None or last not in self.knowledge.intents:
            return False
        if top.score < self.knobs.statement_switch or self._topic(top.intent) == self._topic(last):
            return False
        # A word of the other title that only its topic's titles have: "kantor", not "klaim"
        # ("cara klaimnya?" after JKP is the JKP claim: claims have titles in many topics).
        named = set(self._residual(core)) - GENERIC_FACETS
        return bool(named & self._title_words[top.intent] & self._own_title_words)

    def _restates(self, core: str, entities: Entities, session: Session, normalized: str) -> bool:
        """True when a correction's own words ask near-exactly the answer just given: read
        without the topic, it names that answer ahead of any other, clearly. "Maksud sy ..."
        that rejects nothing ("maksud sy bayar iuran bpjs tk lewat bri" after the answer on
        paying) only says it again: its best reading need only be clear enough to answer."""
        ranked = self._rank(core, entities, session, bonus=False)
        rejects = bool(REJECTING & set(normalized.split()))
        bar = self.knobs.statement_switch if rejects else self.knobs.accept
        return bool(ranked and ranked[0].intent == session.last_intent and ranked[0].score >= bar)

    def _placed(self, text: str, normalized: str, entities: Entities, session: Session) -> Entities:
        """The message's entities, with a bare place name read as a place when the answer just
        given (or the bot's own question) is about a place: "Tual ada?" after the office in
        Ambon says "in Tual", though "tual" alone might be a misspelt word."""
        if entities.regions or entities.outside or entities.ambiguous_regions:
            return entities
        wanted = [session.pending_intent, session.last_intent]
        if not any("region" in FOLLOWUP_ENTITY.get(self._handler_name(i), ()) for i in wanted):
            return entities
        if len(text.split()) > self.knobs.followup_words + 1:
            return entities
        read = self.matcher.rank(normalized)
        if (
            read
            and read[0].score >= self.knobs.statement_switch
            and "region" not in FOLLOWUP_ENTITY.get(self._handler_name(read[0].intent), ())
        ):
            # "sumbernya dari mana" after coverage figures asks for the source, clearly, though
            # Sumber is also a place: a message that reads as another answer is no place name.
            return entities
        located = f"di {text}"
        found = self.extractor.extract(located, self.normalize(located), self._vocabulary)
        return replace(
            entities,
            regions=found.regions,
            outside=found.outside,
            ambiguous_regions=found.ambiguous_regions,
        )

    def _dated(self, normalized: str, entities: Entities, session: Session) -> Entities:
        """A bare year read as a birth year when the answer just given reads one: "kalau
        1980?" after the retirement age for someone born in 1975."""
        if entities.birth_year is not None:
            return entities
        wanted = [session.pending_intent, session.last_intent]
        if not any("birth" in FOLLOWUP_ENTITY.get(self._handler_name(i), ()) for i in wanted):
            return entities
        if (year := _BARE_YEAR.match(normalized)) is None:
            return entities
        return replace(entities, birth_year=int(year.group(1)))

    def _readable(self, core: str, entities: Entities) -> bool:
        """True when the message holds something to read: a word the examples use (or one
        the matcher read a misspelling as, while ranking it) or an entity. A follow-up rule
        must not give a meaning to keyboard noise only because a topic is under discussion."""
        if entities != Entities():
            return True
        return any(self.matcher.remembered(w) for w in core.split())

    def _residual(self, core: str) -> list[str]:
        return residual_words(self.extractor.mask_places(core))

    def _what_if(
        self,
        text: str,
        core: str,
        candidates: tuple[Candidate, ...],
        entities: Entities,
        session: Session,
    ) -> str | None:
        """ "kalau nelayan?" after a JKK claim: the same question for another case (and "klo
        gak bayar 3 bulan" after how to pay: not paying, which the late payment answers)."""
        varied = self._varied(core, candidates, entities, session)
        return self.cases.unpaid(varied, partial(self._clauses, text, core)) if varied else None

    def _clauses(self, text: str, normalized: str) -> str:
        """The message normalised clause by clause, joined by " | ", where it speaks of paying
        (else `normalized` as it is): a phrase read on it never spans two clauses."""
        if not PAYING & set(normalized.split()):
            return normalized
        return " | ".join(self.normalize(part) for part in _CLAUSE_BREAK.split(text)[:6])

    def _varied(
        self, core: str, candidates: tuple[Candidate, ...], entities: Entities, session: Session
    ) -> str | None:
        """The answer a "kalau ..." asks for another case, or None when it asks another."""
        last = session.last_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last):
            return None
        if not core.startswith(WHAT_IF) or entities.programmes:
            return None
        if self._topic(last) in NO_CONTINUATION:
            # "kalau sakit krn kerja?" after the BPJS Kesehatan redirection is read on its own
            # (JKK's matter); a redirection is no case to vary.
            return None
        residual = self._residual(core)
        if len(residual) > self.knobs.followup_words + 1:
            return None
        if self.cases.new_case(core, last):
            return None
        top = candidates[0] if candidates else None
        if (
            {"iuran", "berapa"} <= set(core.split())
            and last not in _PREMIUM_ANSWERS
            and top is not None
            and top.intent in _PREMIUM_ANSWERS
        ):
            # "klo yg 3 tukang itu iuranya brp" after who may join asks the premium itself.
            return None
        if entities.occupation and len(residual) <= 1:
            # "yg buat nelayan?" after the ojol discount: only the worker changes, whatever
            # the worker's own common question (the premium) scores.
            return last
        if top is not None and top.intent in self._off_topic:
            # "kalau beli motor?" after the premium reads best as another matter: no case of
            # the answer to vary (as for a statement, _statement_continues).
            return None
        shared = set(residual) & self._title_words[last]
        if shared and not (
            # "kalo lupa bayar 2 bln" after how to pay: "bayar" is in the title of the late
            # payment the message reads as too, so it tells nothing between the two.
            top is not None
            and top.intent != last
            and top.score >= self.knobs.statement_switch
            and shared <= self._title_words[top.intent]
        ):
            # "kalau email jg lupa?" after "Ganti nomor HP atau e-mail di JMO": the same answer.
            return last
        if top is not None and top.intent != last and top.score >= self.knobs.low_confidence:
            return None
        if (
            top is not None
            and top.score >= self.knobs.accept
            and (entities.years is not None or entities.birth_year is not None)
            # ("klo sy iur 20 thn gaji 7 jt?" after the pension's amount: with a wage, the
            # amount again)
            and not entities.amounts
            and "birth" in FOLLOWUP_ENTITY.get(self._handler_name(top.intent), ())
            and "birth" not in FOLLOWUP_ENTITY.get(self._handler_name(last), ())
        ):
            # "kalau iur cuma 10 thn?" after the pension amount: the years decide whether there
            # is a monthly pension at all, which the answer that reads them gives.
            return None
        sibling = next(
            (
                c
                for c in candidates[:2]
                if c.intent != last
                and c.score >= self.knobs.accept
                and self._topic(c.intent) == self._topic(last)
            ),
            None,
        )
        if sibling is not None and all(c.intent != last for c in candidates[:3]):
            # "kalau dapat bulanan kira2 berapa" after the pension age: a "kalau" that reads
            # nothing like the answer given but well as another answer of its topic asks that
            # one (the pension's amount), not the same question for another case.
            return sibling.intent
        return last

    def _answer_words(self, intent_id: str) -> frozenset[str]:
        """The words of an answer as the user read it (title, text and details), normalised."""
        words = self._answer_vocabulary.get(intent_id)
        if words is None:
            intent = self.knowledge.intents[intent_id]
            text = f"{intent.title}\n{intent.answer}\n{intent.details}".lower()
            # Line by line: the normaliser reads at most MAX_WORDS words of a message, and an
            # answer is longer (its list of papers sits in the middle).
            words = self._answer_vocabulary[intent_id] = frozenset(
                _root(w) for line in text.splitlines() for w in self.normalize(line).split()
            )
        return words

    def _answered_there(
        self, core: str, candidates: tuple[Candidate, ...], entities: Entities, session: Session
    ) -> str | None:
        """ "hrs ke kantor?" after how to change the number in JMO, "iurannya dihitung gmn"
        after the employees' premium: a short question whose every word the answer just read
        uses asks about that answer, whatever other answer the words alone match."""
        last = session.last_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last):
            return None
        if self._topic(last) in NO_CONTINUATION or entities.regions or entities.outside:
            return None
        if entities.workers or entities.months or entities.amounts:
            # A head count, a duration or an amount asks for a calculation (_follow_up's).
            return None
        top = candidates[0] if candidates else None
        if top is None or top.intent == last or top.intent in self._off_topic:
            return None
        asked = [
            w
            for w in self._residual(core)
            if w not in GENERIC_FACETS
            and w not in QUESTION_WORDS
            and w not in QUESTION_TAGS
            and w not in _MODAL_WORDS
        ]
        programme = self._topic(last)
        if (
            not asked
            and PAPERS_WORDS & set(core.split())
            and PAPERS_MARK in self._answer_words(last)
            and all(p == programme for p in entities.programmes)
        ):
            # "dokumennya apa aja" after what heirs do with a JHT, whose answer lists the papers
            # (a KTP among them): those papers, not another answer's.
            return last
        if not 1 <= len(asked) <= self.knobs.followup_words:
            return None
        if any(p != programme for p in entities.programmes):
            return None
        if not {_root(w) for w in asked} <= self._answer_words(last):
            return None
        if set(asked) & (self._title_words[top.intent] - self._title_words[last]):
            # "sebagian bs?" after what JHT is: the word names the other answer ("Klaim
            # sebagian JHT"), though the answer read mentions it too.
            return None
        return last

    def _statement_continues(
        self,
        text: str,
        core: str,
        candidates: tuple[Candidate, ...],
        entities: Entities,
        session: Session,
    ) -> str | None:
        """ "udh 12 thn kerja" after a partial JHT claim, "sonde ada hp android" after how to
        register: a short statement of the user's situation continues the question just
        answered, unless it clearly reads as another question."""
        last = session.last_intent
        if not last or last not in self.knowledge.intents or self._formulaic(last):
            return None
        if entities.programmes or not is_statement(text, core) or self.cases.new_case(core, last):
            return None
        if entities.amounts or entities.age is not None or entities.workers is not None:
            # A wage, an age or a head count asks for a calculation or the rule for that case.
            return None
        words = self._residual(core)
        residual = len(words)
        top = candidates[0] if candidates else None
        if top is not None and top.intent in self._off_topic:
            return None
        if entities.occupation and residual <= self.knobs.followup_words + 1:
            # "sy petani jagung di Dompu" after the discount: that answer, for that worker.
            return last
        if (
            top is not None
            and top.score >= self.knobs.accept
            and self._names_top_topic(words, top.intent, last)
        ):
            # "hubungi 0812... ya kak" after JHT: "hubungi" is the contacts' word, not JHT's.
            return None
        if (
            top is not None
            and top.score >= self.knobs.accept + self.knobs.topic_bonus
            and self.knowledge.intents[top.intent].topic == self.knowledge.intents[last].topic
        ):
            # "msh kerja" after a JHT claim: the matcher, with the topic's bonus, tells which
            # of the topic's questions the detail belongs to (when it would tell without the
            # bonus too: "suami sy baru ikut 2 thn" after the scholarship stays with it).
            return None
        if residual <= self.knobs.followup_words and (
            top is None or top.intent == last or top.score < self.knobs.statement_switch
        ):
            return last
        if residual <= self.knobs.statement_words and (
            top is None or top.score < self.knobs.accept
        ):
            return last
        return None

    def _twin(self, intent_id: str, entities: Entities, plain_too: bool = True) -> str:
        """The calculating twin when the message gives an amount or a head count, else the
        plain intent: the two share a handler, and this keeps the label honest."""
        # An income, not a premium: "iuran cuma goceng?" asks about the premium itself.
        calculates = bool(entities.workers or any(a >= MIN_INCOME_AMOUNT for a in entities.amounts))
        twin = CALCULATED.get(intent_id)
        if twin in self.knowledge.intents and calculates:
            return twin
        plain = _PLAIN_OF.get(intent_id)
        if plain_too and plain in self.knowledge.intents and not calculates:
            return plain
        return intent_id

    def _topic(self, intent_id: str) -> str:
        intent = self.knowledge.intents.get(intent_id)
        return intent.topic if intent is not None else ""

    def _formulaic(self, intent_id: str) -> bool:
        return intent_id in self._off_topic or self.knowledge.intents[intent_id].topic in (
            CONVERSATION_TOPIC,
        )

    def _not_an_option(self, number: int, session: Session) -> Outcome:
        """ "9" when three options are on screen: say which numbers work, keep the options."""
        count = len(session.options)
        # The options themselves follow as buttons or numbered lines (the renderer's part).
        text = notices.not_an_option(number, count)
        reply = Reply(
            text=text,
            options=tuple(session.options),
            intent=session.last_intent,
            confidence=1.0,
        )
        return Outcome(reply, str(number), (), "select")

    def choose(self, option_id: str, session: Session, today: date) -> Outcome:
        intent_id, _, argument = option_id.partition(":")
        asked = session.memory.pop(CLARIFIED, "")
        if intent_id not in self.knowledge.intents:
            return self._fallback(session, "", ())
        intent = self.knowledge.intents[intent_id]
        normalized = self.normalize(asked) if asked else ""
        entities = (
            self.extractor.extract(asked, normalized, self._vocabulary) if asked else Entities()
        )
        return self._run(
            intent_id,
            asked or intent.title,
            normalized,
            entities,
            session,
            today,
            (),
            "select",
            argument or None,
        )

    # -- steps ---------------------------------------------------------------------------------

    def _rank(
        self,
        normalized: str,
        entities: Entities,
        session: Session,
        excluded: str | None = None,
        bonus: bool = True,
        fuzzy: bool = True,
    ) -> tuple[Candidate, ...]:
        # An amount alone ("2 juta", "123456") says nothing about the question: only a pending
        # question or the topic under discussion can give it a meaning (see _follow_up).
        if not normalized.replace(MONEY_TOKEN, "").strip():
            return ()
        residual = len(self._residual(normalized))
        short = residual <= self.knobs.followup_words + 1
        # A later turn this long is mostly a question of its own ("klo sy sakit tipes dirawat di
        # rs ditanggung ga"): the users' own questions help read it, as they do a first one.
        long_turn = residual >= self.knobs.asked_later_words
        # Within a conversation the topic under discussion orders close candidates (below) and
        # a short message is read as a follow-up; the learned model, which reads the message
        # alone, would overrule them.
        in_topic = bool(bonus and session.last_topic and (not entities.programmes or short))
        ranked = self.matcher.rank(
            self.extractor.mask_places(normalized),
            fuzzy=fuzzy,
            learned=not in_topic,
            # Unknown words weigh less in a fresh question naming the agency's matters; within
            # a topic the short statements that stay with it ("ga punya jmo, hp jadul") must
            # not be lifted to another intent.
            anchored=not in_topic and names_agency_matter(normalized.split()),
            asked=not self._in_conversation(session) or long_turn,
        )
        if excluded:
            ranked = [c for c in ranked if c.intent != excluded]
        if len(normalized.split()) > MAX_FORMULAIC_WORDS:
            # A long message is a question, not a greeting; asking for the menu at length ("apa
            # saja yg bisa ditanyakan di sini") is one only on a near-exact match: "bantuan" and
            # "apa saja" are in many off-topic requests too.
            ranked = [
                c
                for c in ranked
                if not self._formulaic(c.intent)
                or c.intent in self._off_topic
                or (c.intent == MENU_INTENT and c.score >= self.knobs.accept_long_menu)
            ]
        if not ranked:
            return ()
        # "cara klaimnya?" right after JKM means JKM: favour the topic under discussion when the
        # message names no programme of its own.
        # Paying the premium ("nek bayar iuran 6 bulan sekali jalan pacak?") is the topic of
        # paying, not of the premium's amount; years of paying it ("jp dapat brp, iur 20
        # tahun") are what a benefit is counted from.
        words = set(normalized.split())
        # A head count with a price asked ("mau daftarin 20 mama penenun, totalnya sebulan brp")
        # asks the premium too.
        priced = entities.workers is not None and bool({"berapa", "total"} & words)
        # A share asked of a kind of worker ("jht utk bpu berapa persen") is a premium's rate.
        priced = priced or ("persen" in words and bool(words & PREMIUM_OF_WORKER.keys()))
        premium = ("iuran" in words or priced) and not PAYING & words and entities.years is None
        named_topics = set(entities.programmes) | ({PREMIUM_TOPIC} if premium else set())
        at_work = self.cases.harm_at_work(normalized, entities, session)
        if not named_topics and at_work:
            # "ipar sy kecelakaan di proyek bangunan": harm at work names JKK.
            named_topics = {WORK_ACCIDENT}
        if (
            len(named_topics) == 2
            and PREMIUM_TOPIC in named_topics
            and _HOW_MUCH.search(normalized)
        ):
            # "kalau jkm aja iurannya brp": how much the premium is, of that programme.
            named_topics = {PREMIUM_TOPIC}
        if len(named_topics) == 1:
            # "meninggal karena kecelakaan kerja" names JKK, "iuran pensiun" the premiums: among
            # close candidates, the one about what the message names wins.
            (named,) = named_topics
            topics = [self.knowledge.intents[c.intent].topic for c in ranked]
            # Whatever the top candidate's topic: "beta nelayan di ambon, mau tau iuran" is the
            # premium's, "JHT niku nopo" JHT's, "sy agen perisai, ada 12 nelayan, total iurannya
            # brp" the premium's.
            if topics[0] != named:
                for cand, topic in zip(ranked, topics, strict=True):
                    if (
                        topic == named
                        and ranked[0].score - cand.score < self.knobs.programme_margin
                    ):
                        lifted = replace(cand, score=ranked[0].score)
                        ranked = [lifted, *(c for c in ranked if c is not cand)]
                        break
        if at_work and ranked[0].intent in AT_WORK_INSTEAD:
            # A death at work is JKK's, though its words ("meninggal", "dapat apa") are JKM's.
            lifted = replace(ranked[0], intent=AT_WORK_INSTEAD[ranked[0].intent])
            ranked = [lifted, *(c for c in ranked if c.intent != lifted.intent)]
        if (
            bonus
            and session.last_topic
            and session.last_topic not in NO_CONTINUATION
            and not entities.programmes
            and not at_work
        ):
            topic_bonus = self.knobs.topic_bonus
            stay = self.knobs.stay_bonus if short else 0.0
            ranked = [
                replace(
                    c,
                    score=min(
                        1.0,
                        c.score + topic_bonus + (stay if c.intent == session.last_intent else 0),
                    ),
                )
                if self.knowledge.intents[c.intent].topic == session.last_topic
                else c
                for c in ranked
            ]
            ranked.sort(key=lambda c: (-c.score, c.intent))
        return tuple(ranked)

    def _context_words(self, core: str, entities: Entities, session: Session) -> str | None:
        """The topic's words to read a short follow-up with, or None when it is not one."""
        if not session.last_intent or session.last_intent not in self.knowledge.intents:
            return None
        if entities.programmes or len(self._residual(core)) > self.knobs.followup_words + 1:
            return None
        if self.cases.new_case(core, session.last_intent):
            return None
        topic = self.knowledge.intents[session.last_intent].topic
        words = set(core.split())
        if any(t in words or w in words for t, w in TOPIC_WORDS.items() if t != topic):
            # "iurannya?" names a topic of its own, by its words or its name ("bayarnya lwt
            # apa" after a premium): read it as it stands.
            return None
        # The answer's own title too: "caranya?" after "Berhenti jadi peserta" asks how to stop,
        # not how to pay, though both are in the topic "bayar".
        own = context_words(topic)
        if own is None or not set(self._residual(core)) <= GENERIC_FACETS:
            return own
        title = self.normalize(self.knowledge.intents[session.last_intent].title.lower())
        known = [w for w in title.split() if w in self._vocabulary and w not in words]
        return " ".join(dict.fromkeys([*own.split(), *known]))

    def _second_question(
        self,
        text: str,
        core: str,
        top: Candidate,
        entities: Entities,
        session: Session,
        excluded: str | None,
    ) -> str | None:
        """The other intent of a message that asks two things, when there is one."""
        numbered = numbered_items(text)
        raw_parts = numbered or split_raw(text)
        if len(raw_parts) < 2 and not split_core(core):
            raw_parts = split_clauses(text)
        # Only the first three are read below: a flood of lines must not be normalised whole.
        if len(raw_parts) >= 2:
            parts, raw = raw_parts[:3], True
        else:
            parts, raw = split_core(core)[:3], False
        if len(parts) < 2:
            return None
        found: list[str] = []
        previous = ""
        named = [p for p in entities.programmes if p in self._intro]
        main = self._twin(top.intent, entities)
        for position, part in enumerate(parts):
            # Stop once the clauses left cannot give both the main intent and another one:
            # each clause gives at most one (ranking a clause is most of this search's cost).
            missing = (main not in found) + (not any(i != main for i in found))
            if missing > len(parts) - position:
                return None
            if not missing:
                break  # both found: the clauses left cannot change the first other intent
            if raw:
                part = strip_courtesies(self.normalize(part))
            if not self._residual(part):
                # "min sy mau tanya 2:" before "1. ... 2. ...": a count, no question.
                continue
            if numbered and len(self._residual(part)) == 1 and previous:
                # "1. cara daftar 2. syaratnya": the second is about what the first named.
                part = f"{part} {previous}"
            previous = " ".join(w for w in self._residual(part) if w not in GENERIC_FACETS)
            if len(named) == 1 and not set(part.split()) & PROGRAMME_NAMES:
                # "jkm dapat brp, klaimnya gmn": the second question is about JKM too.
                part = f"{part} {named[0]}"
            ranked = self._rank(part, entities, session, excluded, bonus=False, fuzzy=False)
            if ranked and ranked[0].score >= self.knobs.accept_part:
                intent = self._twin(ranked[0].intent, entities)
                if not self._formulaic(intent) and intent not in found:
                    found.append(intent)
        others = [i for i in found if i != main]
        if main in found and others:
            return others[0]
        return None

    def _numbered_first(self, text: str, entities: Entities, session: Session) -> str | None:
        """The intent of the question a message numbers 1, when it numbers its questions."""
        first = first_numbered(text)
        if first is None:
            return None
        part = strip_courtesies(self.normalize(first))
        ranked = self._rank(part, entities, session, bonus=False, fuzzy=False)
        return self._twin(ranked[0].intent, entities) if ranked else None

    def _handler_name(self, intent_id: str | None) -> str:
        if intent_id is None or intent_id not in self.knowledge.intents:
            return ""
        return self.knowledge.intents[intent_id].handler

    def _follow_up(
        self, core: str, candidates: tuple[Candidate, ...], entities: Entities, session: Session
    ) -> str | None:
        """The intent a short follow-up belongs to, when the message alone is not enough:
        "upah 2 juta" after the bot asked for the wage, "ruteng" after "kantor cabang",
        "kalau 15 juta?" after a premium, "kalau tambah jht?" after a BPU premium."""
        top = candidates[0] if candidates else None
        confident = (
            top is not None and top.score >= self.knobs.accept and top.intent not in self._off_topic
        )
        short = len(self._residual(core)) <= self.knobs.followup_words

        def supplies(kind: str) -> bool:
            if kind == "region":
                return bool(entities.regions or entities.ambiguous_regions or entities.outside)
            if kind == "birth":
                # Years of contribution ("kalau iur jp cuma 10 thn") are no birth year: they
                # ask whether there is a monthly pension at all (see _what_if).
                return entities.birth_year is not None
            if kind == "programme":
                return bool(entities.programmes)
            if kind == "school":
                return entities.school_level is not None
            return bool(entities.amounts) or (kind != "contract" and entities.workers is not None)

        for target in (session.pending_intent, session.last_intent):
            handler = self._handler_name(target)
            kinds = [k for k in FOLLOWUP_ENTITY.get(handler, ()) if supplies(k)]
            if target is None or not kinds:
                continue
            if (
                top is not None
                and target != session.pending_intent
                and top.intent != target
                and top.score >= self.knobs.statement_switch
                # (Of its calculating twin: "satu juta sebulan iurannya berapa" after a work
                # accident's benefit reads best as the premium, which a wage calculates.)
                and set(kinds)
                <= set(
                    FOLLOWUP_ENTITY.get(self._handler_name(self._twin(top.intent, entities)), ())
                )
            ):
                # "kantor di mataram dmn" after coverage figures: a full question of the same
                # kind (a place) that asks for another answer. (An answer to the bot's own
                # question fills that question instead.)
                return top.intent
            if (
                confident
                and top is not None
                and top.intent in _PREMIUM_ANSWERS
                and target not in _PREMIUM_ANSWERS
                and "iuran" in core.split()
            ):
                # "satu juta sebulan iurannya berapa" after a work accident's benefit (even one
                # that asked for the income): the premium the message names, for that income,
                # not the benefit for it.
                return top.intent
            if kinds == ["programme"] and not (
                short and (ADDING.search(core) or handler in PROGRAMME_FACETS)
            ):
                continue
            if (
                confident
                and top is not None
                and top.intent != target
                and self._handler_name(top.intent) == handler
            ):
                # "sy lahir 1979 pensiunnya kapan" after what JP is: the same calculation, for
                # the question the message asks (the retirement age).
                return top.intent
            if short or not confident:
                return target
            if top is not None and self._handler_name(top.intent) == handler:
                return target
            # The message is a new question of its own ("berapa iuran karyawan 5 juta").
            if (
                target == session.pending_intent
                and top is not None
                and top.score < self.knobs.low_confidence
            ):
                return target
        return None

    def _run(
        self,
        intent_id: str,
        text: str,
        normalized: str,
        entities: Entities,
        session: Session,
        today: date,
        candidates: tuple[Candidate, ...],
        kind: str,
        argument: str | None = None,
        *,
        also: str | None = None,
        answered: tuple[str, ...] = (),
        carried: bool = False,
    ) -> Outcome:
        intent_id = self._twin(intent_id, entities, plain_too=False)
        intent = self.knowledge.intents[intent_id]
        handler = HANDLERS.get(intent.handler, HANDLERS["static"])
        if "region" in FOLLOWUP_ENTITY.get(intent.handler, ()):
            entities = self._place_from_talk(entities, session)
        session.pending_intent = None
        self._remember_worker(normalized, entities, session)
        ctx = Context(intent, text, normalized, entities, self.knowledge, today, session, argument)
        try:
            reply = self._renderings.reply(handler, ctx)
        except MissingFact as exc:
            log.warning("no fact in force for %s (intent %s)", exc, intent_id)
            reply = Reply(text=notices.MISSING_FIGURE_TEXT)
        confidence = candidates[0].score if candidates and kind == "answer" else 1.0
        if kind == "followup" and candidates:
            confidence = max(confidence if candidates[0].intent == intent_id else 0.0, 0.75)
        reply = replace(reply, intent=intent_id, confidence=round(min(1.0, confidence), 4))
        if also is not None and also in self.knowledge.intents:
            # A close runner-up or the message's second question: one tap away, listed first
            # among the follow-ups.
            option = Option(also, self.knowledge.intents[also].title)
            rest = tuple(o for o in reply.options if o.id.partition(":")[0] != also)
            reply = replace(reply, options=(option, *rest))
        if entities.amounts and {"income", "wage"} & set(FOLLOWUP_ENTITY.get(intent.handler, ())):
            session.memory[AMOUNTS] = " ".join(str(a) for a in entities.amounts[:5])
            # "8 nelayan penghasilan 1,5 jt", then "klo 3 bulan sekaligus": for the eight.
            session.memory[HEADS] = str(entities.workers or "")
        # Details, sources and the forwardable text one option away (handlers.present).
        reply = finish(reply, session, today, self.share_contact)
        if figures_shown := shown(reply.figures):
            session.memory[SHOWN] = figures_shown
        elif intent_id not in KEEPS_CONTEXT:
            # (The sources or details of an answer leave its figures the ones on screen:
            # "dulu kan 24 juta?" after the death benefit's sources still quotes the benefit.)
            session.memory.pop(SHOWN, None)
        if intent_id not in KEEPS_CONTEXT:
            session.last_intent = intent_id
            session.last_topic = intent.topic
        session.options = list(reply.options)
        if intent_id not in KEEPS_CONTEXT and not self._formulaic(intent_id):
            topic = self._topic_of(intent_id, entities, session, reply)
            # A follow-up that gave its own amount or place ("kalau gajinya 15 juta") is
            # answered for them as a question is: a correction of it keeps them. One whose
            # details came from earlier turns (`carried`, or none given) is not.
            own = not carried and bool(entities.amounts or entities.regions or entities.outside)
            session.remember(replace(topic, fresh=kind == "answer" or own))
        answered = tuple(dict.fromkeys(self._twin(a, entities, False) for a in answered))
        return Outcome(reply, normalized, candidates, kind, entities, answered or (intent_id,))

    def _remember_worker(self, normalized: str, entities: Entities, session: Session) -> None:
        """The worker the user said they are, kept across turns whatever was asked: "sy nelayan,
        bisa ikut?" then "iurannya?" is the independent workers' premium, for a fisherman."""
        if entities.sector and entities.occupation:
            session.memory["sector"], session.memory["occupation"] = (
                entities.sector,
                entities.occupation,
            )
        named = workers_named(normalized)
        if named:
            session.memory[WORKER_PREMIUM] = named[0]
        elif entities.occupation:
            session.memory[WORKER_PREMIUM] = INDEPENDENT_PREMIUM

    def _clarify(
        self,
        top: Candidate,
        second: Candidate,
        normalized: str,
        candidates: tuple[Candidate, ...],
        session: Session,
        entities: Entities,
    ) -> Outcome:
        intents = self.knowledge.intents
        options = (
            Option(top.intent, intents[top.intent].title),
            Option(second.intent, intents[second.intent].title),
        )
        text = notices.which_one(options[0].title, options[1].title)
        reply = Reply(text=text, options=options, intent=top.intent, confidence=top.score)
        session.options = list(options)
        session.pending_intent = None

        return Outcome(reply, normalized, candidates, "clarify", entities)

    def _fallback(
        self,
        session: Session,
        normalized: str,
        candidates: tuple[Candidate, ...],
        *,
        off_topic: bool = False,
        prompt: bool = False,
        entities: Entities | None = None,
        today: date | None = None,
    ) -> Outcome:
        if off_topic and self._off_topic:
            ctx = Context(
                self.knowledge.intents[min(self._off_topic)],
                "",
                normalized,
                Entities(),
                self.knowledge,
                today or date.today(),
                session,
            )
            reply = HANDLERS["smalltalk.out_of_scope"](ctx)
        elif prompt:
            reply = replace(
                fallback_reply(self.knowledge),
                text=notices.PROMPT_TEXT,
            )
        else:
            reply = fallback_reply(self.knowledge)
        reply = replace(reply, intent=None, confidence=candidates[0].score if candidates else 0.0)
        session.options = list(reply.options)
        return Outcome(reply, normalized, candidates, "fallback", entities or Entities())


def _place_words(entities: Entities) -> set[str]:
    """The words of the places a message named ("kota banda aceh", "manggarai-barat")."""
    return {
        *(w for region in entities.regions for w in region.split("-")),
        *(w for pair in entities.ambiguous_regions for r in pair for w in r.split("-")),
        *(w for place in entities.outside for part in place for w in part.lower().split()),
    }
