"""The case a talk is about: a work accident, a death, a job that ended.

People come with a situation and work through it ("suami sy nelayan, perahunya karam", then
"syarat2 nya apa", "brp lama prosesnya", "anak sy dapat beasiswa?"). Once told, the case is kept
in the session (`note`), and it decides what a later question that names no programme asks: a
question about claiming is the case's claim, one about money its benefit (`read`). A death or an
injury told with the words of a place, a job or a premium is the death benefit's or the work
accident's matter, and a job that ended, told alone, asks what JKP pays.

Each reading gives way to a clear other question (the matcher's best at `confident` or more), a
programme the message names, a topic it names by name, paying late, whom to call, and another
matter (bot.domain).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.domain import (
    ILLNESS_WORDS,
    PAYING,
    names_foreign_matter,
    names_injury,
    names_job_ended,
    names_not_at_work,
    names_plain_harm,
    names_work_harm,
)
from bot.followup import AT_WORK_INSTEAD, CASE_INTENT, PREMIUM_TOPIC
from bot.matcher import Candidate
from core.entities import Entities
from core.session import Session

# Session memory keys: set once the user told of harm at work (the case is a work accident), of
# a death (not at work: JKM's), or that a job ended (JKP and the JHT claim).
WORK_HARM = "work_harm"
DEATH_CASE = "death"
STOPPED_CASE = "stopped"
# The cases a message may tell, as bot.followup.CASE_INTENT names them (a death first).
TOLD_CASES = (DEATH_CASE, STOPPED_CASE)

# The topics of the cases and of the answers around them.
WORK_ACCIDENT = "jkk"
DEATH_TOPIC = "jkm"
JOB_LOSS_TOPIC = "jkp"
JHT_TOPIC = "jht"
PENSION_TOPIC = "jp"
PAYING_TOPIC = "bayar"
OFFICES_TOPIC = "wilayah"
# The topics whose answers vary with a death or an injury (the work accident, the death
# benefit, the pension's survivors).
HARM_TOPICS = frozenset({WORK_ACCIDENT, DEATH_TOPIC, PENSION_TOPIC})

DEATH_WORDS = frozenset(["meninggal", "wafat", "tewas", "kematian", "almarhum", "almarhumah"])
ARREARS = frozenset(["nunggak", "menunggak", "tunggakan", "telat", "terlambat", "nonaktif"])
# Not paying, as users tell it (normalised: "gak bayar" reads "tidak bayar").
NOT_PAYING = (
    "tidak bayar", "tidak membayar", "tidak dibayar", "belum bayar", "belum dibayar",
    "lupa bayar", "berhenti bayar", "stop bayar", "tidak bayar iuran", "tidak setor",
)  # fmt: skip
# How close a claim must read to what the programme pays to be the answer (see _claim_asked).
CLAIM_MARGIN = 0.05
HOW_TO_PAY = "bayar_cara"
LATE_PAYMENT = "bayar_telat"
# Words that ask about claiming (where, how, with what papers, by when), not what is paid.
CLAIMING_WORDS = frozenset([
    "klaim", "klaimnya", "lapor", "dilapor", "dilaporkan", "melapor", "urus", "ngurus",
    "mengurus", "diurus", "syarat", "dokumen", "berkas", "cara", "caranya", "prosedur",
    "kemana", "mana", "dimana", "ajukan", "mengajukan", "batas", "lambat", "telat", "claim",
    "report", "where", "how", "papers", "documents", "bagaimana", "gimana", "akta", "surat",
    "ngapain", "harus", "langkah",
])  # fmt: skip
# Of those, the ones that only ask how: a case's later "gimana itu" may ask anything.
_HOW_ONLY = frozenset(["cara", "bagaimana", "how", "gimana", "caranya"])
# How long a claim takes, and money asked for: "berapa lama prosesnya", "gaji ku dibayar dak".
CLAIM_TIME_WORDS = frozenset(["lama", "proses", "prosesnya", "cair", "selesai", "long"])
MONEY_WORDS = frozenset([
    "berapa", "dapat", "ganti", "rugi", "dibayar", "santunan", "ditanggung", "menanggung",
    "biaya", "upah", "gaji", "uang", "much", "paid", "cover", "covered",
])  # fmt: skip
# "nomor pengaduannya brp": whom to call.
CONTACT_WORDS = frozenset(
    ["nomor", "pengaduan", "mengadu", "hubungi", "hubungin", "menghubungi", "kontak", "telepon",
     "telpon", "175", "call"]
)  # fmt: skip


class Cases:
    """The case readings, over the knowledge's intents and topics (no intent named here but
    through AT_WORK_INSTEAD and CASE_INTENT, the follow-up tables)."""

    def __init__(
        self,
        topics: dict[str, str],
        intro: Mapping[str, str],
        title_words: Mapping[str, frozenset[str]],
        ignored: Callable[[str], bool],
        confident: float,
    ) -> None:
        # Per intent its topic; per topic the intent its name alone asks (what it pays); per
        # intent its title's words; which answers a case never replaces (greetings, the
        # off-topic reply); the score from which the matcher's reading stands.
        self._topics = topics
        self._intro = intro
        self._title_words = title_words
        self._ignored = ignored
        self._confident = confident

    def _topic(self, intent: str) -> str:
        return self._topics.get(intent, "")

    def note(self, normalized: str, session: Session, entities: Entities | None = None) -> None:
        """Keep the case a message tells ("suami meninggal kecelakaan kerja di kapal", "kemaren
        diberhentikan"); with its entities, an injury told by someone naming their work ("om sy
        tukang batu, jatuh dari perancah") is a work accident too."""
        if entities is not None:
            if entities.occupation is not None and names_injury(normalized):
                session.memory[WORK_HARM] = "yes"
            return
        if names_work_harm(normalized):
            # The talk's case is a work accident from now on, whatever its answers' topics
            # ("santunan kematiannya brp" after the scholarship is JKK's death benefit).
            session.memory[WORK_HARM] = "yes"
        elif DEATH_WORDS & set(normalized.split()):
            session.memory[DEATH_CASE] = "yes"
        elif names_job_ended(normalized):
            session.memory[STOPPED_CASE] = "yes"

    def harm_at_work(self, normalized: str, entities: Entities, session: Session) -> bool:
        """True when the message tells of harm the work did: said so ("waktu melaut"), told
        within a talk about a work accident ("kalo ketemu udah meninggal, dapat ape" after a
        boat capsized at sea), or an injury told by someone who names their work ("sy petani,
        kaki kena cangkul sampe dijahit")."""
        return (
            names_work_harm(normalized)
            or (
                (session.last_topic == WORK_ACCIDENT or WORK_HARM in session.memory)
                and names_plain_harm(normalized)
            )
            or (entities.occupation is not None and names_injury(normalized))
        )

    def new_case(self, core: str, last: str) -> bool:
        """True when the message tells of a death or an injury the last answer does not vary
        with: "klo sy jatuh dr perancah ditanggung?" after how to pay, "klo sy meninggal di
        jalan pas narik" after the pension's amount (at work: the work accident's). Such a
        message is a question of its own, not the answer just given for another case."""
        topic = self._topic(last)
        if names_work_harm(core):
            return topic != WORK_ACCIDENT
        return topic not in HARM_TOPICS and (names_plain_harm(core) or names_injury(core))

    def read(
        self,
        top: Candidate,
        candidates: tuple[Candidate, ...],
        normalized: str,
        entities: Entities,
        session: Session,
    ) -> Candidate:
        """The answer to give in the light of the case the message or the talk tells."""
        top = self._claim_asked(top, candidates, normalized)
        top = self._harmed(top, candidates, normalized, entities, session)
        top = self._job_lost(top, normalized, entities)
        return self._case_facet(top, normalized, entities, session)

    def _claim_asked(
        self, top: Candidate, candidates: tuple[Candidate, ...], normalized: str
    ) -> Candidate:
        """ "ibu sy meninggal ... klaim santunan kematian butuh apa aja": what a programme pays,
        read as well as how to claim it by a message asking how to claim, is the claim."""
        topic = self._topic(top.intent)
        if self._intro.get(topic) != top.intent or not CLAIMING_WORDS & set(normalized.split()):
            return top
        for candidate in candidates[:3]:
            if (
                self._topic(candidate.intent) == topic
                and "klaim" in self._title_words.get(candidate.intent, ())
                and candidate.score >= top.score - CLAIM_MARGIN
            ):
                return replace(top, intent=candidate.intent)
        return top

    def unpaid(self, intent: str, clauses: Callable[[], str]) -> str:
        """ "kalau dibiarkan saja tidak bayar, ada utang?", "klo gak bayar 3 bulan gmn" after
        how to pay: not paying, told in the words of paying, asks what happens then (the late
        payment's answer), not how to pay. `clauses()`: the message normalised clause by clause
        and joined by " | " ("diskon ga? bayarnya lewat apa" does not tell "tidak bayar"), made
        only for an answer about paying."""
        if LATE_PAYMENT not in self._topics or not (
            intent == HOW_TO_PAY or self._topic(intent) == PREMIUM_TOPIC
        ):
            # (A premium too: "udh 4 bulan dak bayar iuran" names the premium it did not pay.)
            return intent
        padded = f" {clauses()} "
        return LATE_PAYMENT if any(f" {p} " in padded for p in NOT_PAYING) else intent

    def _asks_of_paying(self, top: Candidate, normalized: str) -> bool:
        """True when the top answer is about paying and the message speaks of paying or of
        arrears: within a case, its own question ("almarhum nunggak 2 bln, masih bisa klaim?")."""
        words = set(normalized.split())
        return self._topic(top.intent) == PAYING_TOPIC and bool((PAYING | ARREARS) & words)

    def _harmed(
        self,
        top: Candidate,
        candidates: tuple[Candidate, ...],
        normalized: str,
        entities: Entities,
        session: Session,
    ) -> Candidate:
        """ "ama saya tukang kayu di ende, tangan kena mesin serut, jari putus 2", "adek sy
        tki di malaysia meninggal, klaimnya gmn": a death or an injury told with the words of
        a place, a job or a premium is the death benefit's or the work accident's matter (the
        best of its answers the matcher found, else what it pays), not the place's figures or
        the worker's premium."""
        instead = AT_WORK_INSTEAD.get(top.intent)
        if (
            instead in self._topics
            and WORK_HARM in session.memory
            and not entities.programmes
            and not (ILLNESS_WORDS & set(normalized.split()) or names_not_at_work(normalized))
        ):
            # "berkas buat klaimnya" in a talk about a death at work: the work accident's
            # claim, not the plain death benefit's the words match.
            return replace(top, intent=instead)
        if (
            entities.programmes
            or top.score >= self._confident
            or self._asks_of_paying(top, normalized)
        ):
            # "nunggak 4 bulan, kalau kecelakaan masih ditanggung?": a clear reading of another
            # question the harm is only the occasion of (paying late).
            return top
        if self.harm_at_work(normalized, entities, session):
            # ("trus klo udah meninggal?" after what JKK pays: the accident's death benefit,
            # not the heirs' JHT.)
            topic, kept = WORK_ACCIDENT, frozenset({WORK_ACCIDENT})
        elif DEATH_WORDS & set(normalized.split()):
            topic, kept = DEATH_TOPIC, HARM_TOPICS | {JHT_TOPIC}
        else:
            return top
        benefit = self._intro.get(topic)
        if not CLAIMING_WORDS & set(normalized.split()) and benefit in self._topics:
            # "kakak sy kerja di pabrik, jari telunjuknya terpotong mesin": the harm told and
            # nothing asked of claiming it asks what is paid for it.
            claim = self._topic(top.intent) == topic and "klaim" in self._title_words[top.intent]
            if claim or self._topic(top.intent) not in kept:
                return replace(top, intent=benefit)
        if self._topic(top.intent) in kept:
            return top
        for candidate in candidates:
            if self._topic(candidate.intent) == topic:
                return replace(top, intent=candidate.intent)
        return replace(top, intent=benefit) if benefit in self._topics else top

    def _job_lost(self, top: Candidate, normalized: str, entities: Entities) -> Candidate:
        """ "bang ku kasir di toko emas, kemaren diberhentikan": a job that ended, told without
        a clear other question, asks what the job-loss benefit pays (its answer also sends a
        worker to the JHT claim)."""
        benefit = self._intro.get(JOB_LOSS_TOPIC)
        if benefit not in self._topics or entities.programmes:
            return top
        if top.score >= self._confident or not names_job_ended(normalized):
            return top
        if self._topic(top.intent) in {JOB_LOSS_TOPIC, JHT_TOPIC, PENSION_TOPIC}:
            # (A worker who stopped years ago asks of a pension as much as of a job lost.)
            return top
        if self._asks_of_paying(top, normalized):
            # "di phk, iuran sdh 8 bln tdk dibayar bos": the unpaid premium is asked too.
            return top
        if self._topic(top.intent) in set(normalized.split()):
            return top
        return replace(top, intent=benefit)

    def _case_facet(
        self, top: Candidate, normalized: str, entities: Entities, session: Session
    ) -> Candidate:
        """ "yg urus siapa", "berapa lama prosesnya", "gaji ku dibayar dak" in a talk about a
        work accident: a question about claiming is the case's claim, one about money its
        benefit, whatever other topic the words alone match (the registration's papers, the JHT
        claim's time)."""
        if WORK_HARM in session.memory:
            case, kept = WORK_ACCIDENT, {WORK_ACCIDENT, OFFICES_TOPIC}
        elif DEATH_CASE in session.memory:
            case = DEATH_TOPIC
            kept = {DEATH_TOPIC, WORK_ACCIDENT, JHT_TOPIC, PENSION_TOPIC, OFFICES_TOPIC}
        elif STOPPED_CASE in session.memory:
            case, kept = JOB_LOSS_TOPIC, {JOB_LOSS_TOPIC, JHT_TOPIC, PENSION_TOPIC, OFFICES_TOPIC}
        else:
            return top
        words = set(normalized.split())
        if self._topic(top.intent) in words:
            # "sekalian info biaya iuran mandirinya": a question naming its own topic.
            return top
        if entities.programmes or top.score >= self._confident:
            return top
        if self._topic(top.intent) in kept or self._asks_of_paying(top, normalized):
            return top
        if self._ignored(top.intent):
            return top
        # (In the message's order: its phrases, "upah belum dibayar", are read word after word.)
        if names_foreign_matter(normalized.split()) or names_not_at_work(normalized):
            return top
        if top.intent not in AT_WORK_INSTEAD and self._topic(top.intent) == DEATH_TOPIC:
            # The scholarship is the accident's as much as the death benefit's.
            return top
        if CONTACT_WORDS & words:
            # "nomor pengaduannya brp": whom to call, not the claim.
            return top
        answers = [i for i, t in self._topics.items() if t == case]
        claims = [i for i in answers if "klaim" in self._title_words[i]]
        if case == JOB_LOSS_TOPIC:
            # The job lost has no claim of its own to make here: its money is JHT's claim.
            claims = [i for i in [CASE_INTENT.get(("stopped", JHT_TOPIC), "")] if i]
        if ((CLAIMING_WORDS - _HOW_ONLY) | CLAIM_TIME_WORDS) & words and claims:
            return replace(top, intent=claims[0])
        benefit = self._intro.get(case)
        if MONEY_WORDS & words and benefit in self._topics:
            return replace(top, intent=benefit)
        return top
