"""Reading a message in the light of the conversation: follow-ups, and messages with two questions.

A follow-up is short: once the amount, the place or the birth year it carries and the filler words
around it ("kalau", "gimana", "yang") are set aside, at most a word or two is left. Such a message
continues the topic under discussion ("syaratnya?" after a JKM claim is the JKM claim's
requirements) or fills what the bot asked for ("upah 2 juta" after "berapa upahnya?").
"""

from __future__ import annotations

import re

from bot.domain import HARM_WORDS, ILLNESS_WORDS
from bot.entities import PLACE_TOKEN
from bot.normalize import MONEY_TOKEN
from handlers import PENDING_ENTITY

# What a handler can take from a follow-up: the entity kinds that continue its answer.
FOLLOWUP_ENTITY: dict[str, tuple[str, ...]] = {
    **{handler: (kind,) for handler, kind in PENDING_ENTITY.items()},
    # "kalau tambah jht?" after a BPU premium: the same calculation, read again.
    "premiums.bpu": (PENDING_ENTITY.get("premiums.bpu", "income"), "programme"),
    # "yg jp nya?" after an employee's premium: that programme's share of the same premium.
    "premiums.pu": (PENDING_ENTITY.get("premiums.pu", "wage"), "programme"),
    # "kalau lahir 1975?" after the retirement age.
    "benefits.jp": ("birth",),
    # "yg sulung tahun depan mau kuliah" after the scholarship: the amount for that school level.
    "benefits.scholarship": ("school",),
}

# Words a follow-up wraps around its amount or place; they do not make a new question.
FILLERS = frozenset(
    [
        "kalau",
        "jika",
        "bila",
        "misal",
        "misalnya",
        "seandainya",
        "andai",
        "bagaimana",
        "gimana",
        "berapa",
        "yang",
        "untuk",
        "buat",
        "upah",
        "penghasilan",
        "pendapatan",
        "gaji",
        "saya",
        "di",
        "ke",
        "dari",
        "kabupaten",
        "kab",
        "kota",
        "provinsi",
        "prov",
        "daerah",
        "wilayah",
        "sebulan",
        "per",
        "bulan",
        "perbulan",
        "rp",
        "orang",
        "pekerja",
        "lahir",
        "kelahiran",
        "tahun",
        "ok",
        "oke",
        "ya",
        "terus",
        "lalu",
        "saja",
        "sekitar",
        "kurang",
        "lebih",
        "jadi",
        "dengan",
        "tambah",
        "ditambah",
        "plus",
        "ikut",
        "pakai",
        "program",
        "juga",
        "itu",
        "ini",
        "cuma",
        "hanya",
        "atau",
        "dan",
        "sih",
        "kah",
        "pun",
        "dong",
        "kalo",
        "nya",
        "what",
        "about",
        "how",
        "if",
        "and",
        "the",
        "nominal",
        "nah",
        "trus",
        "lagi",
        "sudah",
        "pas",
        "kira",
        # the English a short follow-up is wrapped in ("what documents do I need exactly")
        "do",
        "does",
        "i",
        "is",
        "it",
        "need",
        "exactly",
        "then",
        "so",
    ]
) | {MONEY_TOKEN, PLACE_TOKEN}

# The words that put a short follow-up into the topic under discussion.
TOPIC_WORDS: dict[str, str] = {
    "jht": "jht",
    "jkm": "jkm",
    "jkk": "jkk",
    "jp": "jp",
    "jkp": "jkp",
    "iuran": "iuran",
    "daftar": "daftar",
    "bayar": "bayar iuran",
    "perisai": "agen perisai",
    "layanan": "jmo",
}

# A follow-up made only of these asks a facet of whatever was just answered ("caranya?" after
# how to stop being a member is how to stop); other words name the facet themselves ("klaimnya?").
GENERIC_FACETS = frozenset([
    "cara", "caranya", "syarat", "prosedur", "langkah", "dokumen", "berkas", "lama", "kapan",
    "dimana", "mana", "bagaimana", "gimana", "berapa", "apa", "bisa", "how", "where", "when",
    # the papers to bring: "dokumen yg dibawa", "berkas yg perlu disiapkan"
    "bawa", "dibawa", "siapkan", "disiapkan", "diperlukan",
    # the channel: "lewat web bisa?", "bisa liat di hp?"
    # ("online" is not: after a JHT claim it asks for the claim in JMO)
    "lewat", "via", "web", "website", "hp", "lihat", "liat", "cek",
    # the answer's own figures and hours: "maksimalnya?" after the JP pension is its maximum,
    # "persennya brp" after the risk groups their rates, "buka jam brp" after 175 its hours
    "maksimal", "minimal", "persen", "jam", "buka", "mulai",
])  # fmt: skip

# An income stated right after a registration answer ("gaji sy 1,8jt") asks what the premium
# would be: the independent workers' one, whom registration answers are about.
INCOME_NEXT: dict[str, str] = {"daftar": "iuran_bpu", "perisai": "iuran_bpu"}

# An age stated right after a registration answer ("umurnya 62") asks whether that person may
# still join.
AGE_NEXT: dict[str, str] = {"daftar": "daftar_siapa", "perisai": "daftar_siapa"}

# "bisa sekaligus 5 org?" after how an agent enrols people: the same procedure for a group.
GROUP_WORDS = frozenset(["bisa", "boleh", "sekaligus", "semua", "langsung", "bareng", "bersamaan"])

# "jadi sebulan bayar brp", "jadi 8400?": the result of what was just answered, restated.
SO_THEN = "jadi"
SO_THEN_WORDS = frozenset(
    ["bayar", "iuran", "total", "totalnya", "semuanya", "cuma", "tinggal", "sekarang", "nanti"]
)

# A topic's head word written alone ("iuran", "iurannya?"): its most common question.
BARE_TOPIC: dict[str, str] = {"iuran": "iuran_bpu", "premi": "iuran_bpu"}

# Handlers for which a programme named alone ("jp nya?") already continues the answer; for the
# others it must be added to it ("kalau tambah jht?").
PROGRAMME_FACETS = frozenset({"premiums.pu"})

# The premium of each kind of worker: "sy karyawan pabrik" right after the independent workers'
# premium asks for the employees' one. An informal job (petani, ojek) is an independent worker.
PREMIUM_OF_WORKER: dict[str, str] = {
    "karyawan": "iuran_pu",
    "pegawai": "iuran_pu",
    "mandiri": "iuran_bpu",
    "bpu": "iuran_bpu",
    "pmi": "iuran_pmi",
    "migran": "iuran_pmi",
}
INDEPENDENT_PREMIUM = "iuran_bpu"
MIGRANT_PREMIUM = "iuran_pmi"

# Where Indonesian migrant workers go, and "abroad" itself: whoever works there is a migrant
# worker, so a premium they ask about is the migrants' one ("sy kerja di Taiwan, iuran brp",
# "i kerja kat kuala lumpur", "im working in hong kong, do i need to pay bpjs again?"). Read
# as a worker named, not rewritten by the slang map: the examples' text, which the learned
# model trains on, stays as written.
ABROAD = frozenset([
    "luar negeri", "abroad", "overseas", "malaysia", "sabah", "sarawak", "johor",
    "kuala lumpur", "selangor", "penang", "brunei", "singapura", "singapore", "hong kong",
    "hongkong", "taiwan", "taipei", "korea", "korsel", "jepang", "japan", "arab saudi", "saudi",
    "qatar", "dubai", "uae", "kuwait", "ringgit",
])  # fmt: skip
# The words of those names, which name a worker and ask nothing ("hong", "kong", "negeri").
ABROAD_WORDS = frozenset(word for name in ABROAD for word in name.split())


def names_abroad(normalized: str) -> bool:
    """True when the message names a place abroad ("kerja di hong kong", "di luar negeri")."""
    words = normalized.split()
    if ABROAD_WORDS.isdisjoint(words):  # in C: most messages name no such word
        return False
    padded = f" {normalized} "
    return any(f" {name} " in padded for name in ABROAD)


def workers_named(normalized: str) -> list[str]:
    """The premiums of the workers a message names, in order ("karyawan" the employees',
    "bpu" the independent workers'); a place abroad names a migrant worker, before the others."""
    named = [PREMIUM_OF_WORKER[w] for w in normalized.split() if w in PREMIUM_OF_WORKER]
    if names_abroad(normalized):
        # "sy karyawan pabrik di malaysia", "ke korea lewat jalur mandiri": whoever works
        # abroad is a migrant worker first.
        named = [MIGRANT_PREMIUM, *(n for n in named if n != MIGRANT_PREMIUM)]
    return named


# The terms of a migrant worker's membership: when it is paid, for how long a contract, what an
# extension or a delayed departure does, whether JHT may be added. The migrants' premium
# answers them all (its periods and prices), whatever the words alone would read as.
MIGRANT_TERMS = frozenset([
    "iuran", "premi", "perpanjang", "diperpanjang", "perpanjangan", "memperpanjang", "extend",
    "keberangkatan", "berangkat", "ditunda", "dilindungi", "perlindungan", "lindungi",
])  # fmt: skip
_JHT_JOINED = frozenset(["ikut", "tambah", "ditambah", "tambahin", "plus", "add"])
# What a migrant's family claims is the claim's matter, not the membership's.
_NOT_TERMS = frozenset(["klaim", "cair", "dicairkan", "cairkan", "saldo", "ambil", "diambil"])


def asks_migrant_terms(normalized: str) -> bool:
    """True for a question about the terms of a migrant worker's membership ("kl keberangkatan
    ditunda 3 bln, msh berlaku?", "hrs pulang dulu utk perpanjang bpjs nya?"), not a claim, a
    harm or a death."""
    words = normalized.split()
    if MIGRANT_TERMS.isdisjoint(words) and not (
        # "kalau mau ikut JHT juga bisa?": JHT is the migrants' optional part.
        "jht" in words and not _JHT_JOINED.isdisjoint(words)
    ):
        return False
    return not any(w in _NOT_TERMS or w in HARM_WORDS or w in ILLNESS_WORDS for w in words)


def names_worker(word: str) -> bool:
    """True for a word that names a worker ("karyawan", "pmi", "taiwan"): it asks nothing."""
    return word in PREMIUM_OF_WORKER or word in ABROAD_WORDS


# An intent and its calculating twin: with an amount or a number of workers the answer is a
# calculation, whatever wording reached it ("iuran petani" + "5 orang" is a quote).
CALCULATED: dict[str, str] = {"iuran_bpu": "iuran_bpu_hitung"}
# "6 bulan berapa" right after how to pay (paying months ahead is an independent worker's):
# what those months cost, calculated. Without "berapa" the duration asks about paying again.
PRICED_AFTER: dict[str, str] = {"bayar_cara": "iuran_bpu_hitung"}

# "kalau nelayan?", "terus kalau untuk petani?": the same question for another case.
WHAT_IF = (
    "kalau",
    "bagaimana kalau",
    "terus kalau",
    "kalau untuk",
    # "yg buat nelayan?", "yang untuk petani?": the same question for that worker.
    "yang buat",
    "yang untuk",
    "bagaimana dengan",
    "what about",
    "how about",
    "and if",
    "if",
)

# Words that make a message a question. A short message without any of them (and without "?")
# in a conversation states the user's situation ("udh 12 thn kerja", "sonde ada hp android",
# "terakhir bayar thn 2022"): it adds a detail to the question just answered, not a new one.
QUESTION_WORDS = frozenset(
    [
        "apa",
        "apakah",
        "berapa",
        "bagaimana",
        "gimana",
        "kapan",
        "mana",
        "dimana",
        "kemana",
        "siapa",
        "kenapa",
        "mengapa",
        "bisa",
        "bisakah",
        "boleh",
        "dapatkah",
        "syarat",
        "cara",
        "caranya",
        "mau",
        "ingin",
        "tolong",
        "mohon",
        "minta",
        "info",
        "tanya",
        "what",
        "how",
        "when",
        "where",
        "who",
        "why",
        "which",
        "can",
        "is",
        "do",
        "does",
    ]
)
# "ditanggung tidak", "masih bisa ga": a question tag at the end.
QUESTION_TAGS = frozenset(["tidak", "belum", "kah", "ya", "gak", "enggak", "nggak", "kan"])


# "jht itu apa sebenernya", "min, bantu jelasin jp", "yg jkm maksudnya gmn": asking what a
# programme is, in the words around its name. One word must ask what it is; the others only
# wrap the question ("kalau jht gimana" after a JKM claim asks for JHT's claim, not what it is).
WHAT_IS = frozenset(["apa", "apaan", "maksud", "maksudnya", "arti", "artinya", "jelasin",
    "jelaskan", "terangkan", "penjelasan", "pengertian", "explain", "mean", "means"])  # fmt: skip
_AROUND_WHAT_IS = frozenset([
    "itu", "sih", "sebenarnya", "sebenernya", "sebetulnya", "yang", "bagaimana",
    "gimana", "bantu", "tolong", "dong", "ya", "program", "tentang", "soal", "is", "the",
    "min", "kak", "dulu", "singkat", "tuh", "nih", "ini", "does", "what",
    # "yang jkm jelaskan lebih lengkap"
    "lebih", "lengkap", "detail", "rinci", "secara",
])  # fmt: skip


def programme_asked_about(core: str, programme_words: dict[str, str]) -> str | None:
    """The programme a message asks what it is, or None: its name with only words that ask
    what it is around it ("jht itu apa sebenernya" names JHT)."""
    words = core.split()
    if not any(w in WHAT_IS for w in words):
        return None
    rest = [w for w in words if w not in WHAT_IS and w not in _AROUND_WHAT_IS]
    return programme_words.get(" ".join(rest))


def is_statement(raw: str, normalized: str) -> bool:
    """True when a message states something rather than asking (no "?", no question word)."""
    if "?" in raw:
        return False
    words = normalized.split()
    if not words or words[-1] in QUESTION_TAGS:
        return False
    return not any(w in QUESTION_WORDS for w in words)


# A comma-separated clause this long or longer may be a question of its own.
MIN_CLAUSE_WORDS = 2
MAX_CLAUSES = 3
# Also a numbered list: "mau tanya: 1) jht cair umur brp 2) jp umur brp", "1. cek saldo 2. ...".
_QUESTION_BREAK = re.compile(
    r"[?;\n]+|(?<=[a-z])\.\s+(?=[a-zA-Z])|(?:^|\s|:)[1-5][.)]\s+(?=[a-zA-Z])"
)
_CONNECTOR = re.compile(
    r"\s(?:dan|terus|lalu|serta|kemudian|and|also|selain itu|sekalian|tapi|but)\s"
)


# "yg kedua", "nomor tiga", "pilihan pertama": an option chosen by its position in words.
ORDINALS: dict[str, int] = {
    "pertama": 1, "kesatu": 1, "satu": 1, "first": 1, "1": 1,
    "kedua": 2, "dua": 2, "second": 2, "2": 2,
    "ketiga": 3, "tiga": 3, "third": 3, "3": 3,
    "keempat": 4, "empat": 4, "fourth": 4, "4": 4,
    "kelima": 5, "lima": 5, "fifth": 5, "5": 5,
}  # fmt: skip
_CHOICE_WORDS = frozenset(
    ["yang", "nomor", "no", "pilih", "pilihan", "opsi", "option", "itu", "saja", "aja", "the", "ke"]
)


def ordinal_choice(normalized: str) -> int | None:
    """The option number a message like "yg kedua", "pilihan 3" or "yg ke 9" chooses, or None
    (a number beyond the options on screen is answered with the numbers that are)."""
    words = [w for w in normalized.split() if w not in _CHOICE_WORDS]
    if len(words) != 1 or words == normalized.split():
        return None
    if words[0].isdigit() and len(words[0]) <= 2:
        return int(words[0])
    return ORDINALS.get(words[0])


# A case that carries from one programme to another: "jht nya jg bisa diambil?" after a death
# benefit asks for the heirs' JHT, after stopping work for the JHT claim.
CASE_OF: dict[str, str] = {
    "jkm_manfaat": "death",
    "jkm_klaim": "death",
    "jkm_beasiswa": "death",
    "berhenti_peserta": "stopped",
    "jkp_manfaat": "stopped",
}
CASE_INTENT: dict[tuple[str, str], str] = {
    ("death", "jht"): "jht_ahli_waris",
    ("stopped", "jht"): "jht_klaim_berhenti",
}
# A death told as happening at work (bot.domain.names_work_harm) is a work accident: the JKK
# answer instead of the JKM one the words match ("nelayan meninggal tenggelam waktu melaut").
AT_WORK_INSTEAD: dict[str, str] = {"jkm_manfaat": "jkk_manfaat", "jkm_klaim": "jkk_klaim"}
# "jht nya wajib?", "jkm termasuk?" right after a premium: whether that programme is in the
# premium just shown, a question about that premium, not about the programme.
IN_PREMIUM_WORDS = frozenset(
    ["wajib", "termasuk", "opsional", "pilihan", "harus", "boleh", "sudah", "ada", "masuk",
     # "jkp bayar lg gk" after the employees' premium: paid on top, or part of it
     "bayar", "dibayar", "lagi", "terpisah"]
)  # fmt: skip
PREMIUM_TOPIC = "iuran"
# Words around such a question that ask nothing themselves ("wajib ga", "apakah ... wajib").
QUESTION_FILLERS = frozenset(
    ["tidak", "apa", "apakah", "peserta", "bagi", "pekerja", "iuran", "premi"]
)
# Words that ask for the money of the programme named, whatever the case.
# ("jht nya tetap bs?", "masih bisa cair?": still, after that case; "saldo jht bapa juga bisa
# kami ambil?": the money and the people it is for ask nothing else.)
TAKING_WORDS = frozenset([
    "diambil", "ambil", "cair", "dicairkan", "cairkan", "bagaimana", "bisa", "tetap", "masih",
    "saldo", "uang", "dana", "kami", "kita", "bapak", "ibu", "suami", "istri", "anak",
    "keluarga", "almarhum", "almarhumah", "juga",
    # "belum pernah diambil, masih bisa?", "jadi cuma jht? kapan bisa kucairkan"
    "belum", "pernah", "jadi", "cuma", "hanya", "kucairkan", "dicairin", "cairin",
    # the one who died, in the family's words from across the country
    "ayah", "bapa", "papa", "abah", "mama", "emak", "mak", "amaq", "inaq", "ama", "ina",
    "suaminya", "istrinya", "kakek", "nenek", "om", "paman", "tante", "bibi",
])  # fmt: skip
# "dpt dipakai utk klaim jkm jg?" after Lapak Asik: what the thing just answered can be used for,
# a question about that thing (its subject left out).
USE_WORDS = frozenset(["dipakai", "dipake", "digunakan", "dipergunakan", "dimanfaatkan"])
# "bs dicairkan bareng jht?" after JP: the programme named is beside the one under discussion,
# which the question is still about.
TOGETHER_WORDS = frozenset(["bareng", "bersama", "sekalian", "sekaligus", "barengan"])

# "klo sama ibu sy jg" after a premium: one more person of the family, paid for as well.
FAMILY_WORDS = frozenset([
    "istri", "suami", "ibu", "bapak", "bapa", "ayah", "anak", "adik", "kakak", "mertua",
    "ortu", "mama", "mamak", "emak", "papa", "abang", "wife", "husband", "father", "son",
    "daughter", "brother", "sister",
    # ("mother", "mom" and "dad" read "ibu" and "ayah" in the slang map before this is seen)
])  # fmt: skip
# The words that add that person: "sama istri", "ibu jg", "plus suami", "and my wife".
WITH_PERSON_WORDS = frozenset(["sama", "juga", "plus", "tambah", "dan", "sekalian", "and", "also"])


def residual_words(masked: str) -> list[str]:
    """The words of a (place-masked) message that are not filler, amounts or numbers."""
    return [w for w in masked.split() if w not in FILLERS and not w.isdigit()]


def context_words(topic: str) -> str | None:
    return TOPIC_WORDS.get(topic)


_NUMBERED = re.compile(r"(?:^|[\s:])1[.)]\s+(.+?)\s+2[.)]\s", re.DOTALL)


def first_numbered(text: str) -> str | None:
    """The question a message numbers 1 ("1) jht cair umur brp 2) jp umur brp"), or None."""
    match = _NUMBERED.search(text)
    return match.group(1) if match else None


_NUMBER_MARK = re.compile(r"(?:^|\s|:)[1-5][.)]\s+(?=[a-zA-Z])")


def numbered_items(text: str) -> list[str]:
    """The questions a message numbers ("mau tanya 1. cara daftar 2. syaratnya"), one word
    each or more; [] when it numbers fewer than two."""
    items = [p.strip() for p in _NUMBER_MARK.split(text)[1:]]
    return [p for p in items if p] if len(items) >= 2 else []


def split_raw(text: str) -> list[str]:
    """The questions of a message that separates them with "?", ";", a full stop or a line."""
    parts = [p.strip() for p in _QUESTION_BREAK.split(text)]
    return [p for p in parts if len(p.split()) >= 2]


def split_clauses(text: str) -> list[str]:
    """The comma-separated clauses of a message, when each is long enough to be a question:
    "penghasilan 3jt iurannya brp, kantor terdekat dr dompu dmn"."""
    parts = [p.strip() for p in text.split(",")]
    if not 2 <= len(parts) <= MAX_CLAUSES:
        # More commas than that is a story around one question, not a list of questions.
        return []
    if any(len(p.split()) < MIN_CLAUSE_WORDS for p in parts):
        return []
    return parts


def split_core(core: str) -> list[str]:
    """The questions of a normalised message joined by "dan", "terus", "lalu"..."""
    parts = [p.strip() for p in _CONNECTOR.split(f" {core} ")]
    parts = [p for p in parts if p]
    if len(parts) < 2 or any(len(p.split()) < 2 for p in parts):
        return []
    return parts


# "jelasin lagi", "lebih lengkap dong", "tell me more": asking for more of the answer on screen,
# in words that name nothing else.
MORE_WORDS = frozenset([
    "jelasin", "jelaskan", "terangkan", "explain", "lengkap", "lengkapnya", "selengkapnya",
    "rinci", "rincian", "rinciannya", "detail", "detailnya", "details", "more", "lanjutannya",
])  # fmt: skip
_AROUND_MORE = frozenset([
    "lagi", "lebih", "dong", "pls", "please", "tolong", "bisa", "again", "me", "tell", "yang",
    "itu", "ya", "kak", "min", "coba", "mohon", "sih", "saja", "aja", "nya", "dijelaskan",
    "jelas", "lah", "deh", "the", "it", "kurang", "paham", "belum", "saya",
])  # fmt: skip


def asks_more(core: str) -> bool:
    """True when a message only asks for more of the answer just given."""
    words = core.split()
    return any(w in MORE_WORDS for w in words) and all(
        w in MORE_WORDS or w in _AROUND_MORE for w in words
    )


# "itu aja?" under an answer: whether that is all, which the answer's details tell (or the answer
# again, when it has none). Without the "?" the same words close the talk ("itu aja, makasih").
ALL_OF_IT = frozenset(
    [
        "itu saja",
        "cuma itu",
        "hanya itu",
        "itu saja ya",
        "segitu saja",
        "itu saja kah",
        "that is all",
    ]
)


# "berarti bisa ya diklaim?", "serius 12 bln full?", "mulai april 2026 berarti ya?": the user
# checks what the answer on screen said, which that answer tells again.
CONFIRMING = frozenset(["berarti", "serius", "seriusan", "beneran", "benarkah", "yakin", "masa"])
_CONFIRM_TAGS = frozenset(["ya", "kah", "kan", "nih", "sih", "dong", "tidak", "gitu", "begitu"])
CONFIRM_WORDS = 4  # at most this many words beside the confirming ones: a check, not a question


def asks_to_confirm(text: str, core: str) -> bool:
    """True when a short message only checks the answer just given ("berarti bisa ya?")."""
    words = core.split()
    if CONFIRMING.isdisjoint(words) or ("?" not in text and words[-1:] != ["ya"]):
        return False
    rest = [w for w in words if w not in CONFIRMING and w not in _CONFIRM_TAGS]
    return len(rest) <= CONFIRM_WORDS


# "bedanya?" under an answer: after answers on two programmes, the five programmes side by side
# (one line each tells them apart); after one, that answer again.
DIFFERENCE = frozenset(
    ["beda", "apa beda", "beda apa", "beda apa ya", "apa beda ya", "bedanya", "perbedaan",
     "apa perbedaan", "difference", "what difference", "whats difference"]
)  # fmt: skip


def asks_if_all(text: str, core: str) -> bool:
    """True when a message asks whether the answer on screen is all there is."""
    return "?" in text and core in ALL_OF_IT


# "dasar aturannya PP nomor berapa", "sumbernya dr mana biar sy kutip", "where can I read the
# regulation for these rates": asking where the answer on screen comes from, in words that name
# nothing else ("aturan telat bayar gimana" names the late payment, and is asked of it).
SOURCE_WORDS = frozenset([
    "sumber", "sumbernya", "aturan", "aturannya", "peraturan", "peraturannya", "regulasi",
    "regulasinya", "regulation", "regulations", "hukum", "hukumnya", "pp", "permenaker",
    "referensi", "referensinya", "rujukan", "rujukannya", "kutip", "dikutip", "source",
    "sources", "citation", "cite", "pustaka",
])  # fmt: skip
_AROUND_SOURCE = frozenset([
    "dasar", "dari", "mana", "dimana", "apa", "berapa", "nomor", "no", "itu", "ini", "tersebut",
    "angka", "angkanya", "data", "datanya", "figure", "rates", "rate", "these", "this", "that",
    "what", "where", "can", "i", "read", "baca", "lihat", "bisa", "biar", "supaya", "agar", "saya",
    "kami", "percaya", "yakin", "resmi", "daftar", "di", "ya", "kak", "min", "dong", "tolong",
    "mohon", "boleh", "tahu", "tau", "yang", "ada", "link", "nya", "sih", "kah", "the", "it",
    "to", "find", "see", "pakai", "pake", "mengutip", "kutipan", "dan", "mau", "ingin", "pengen",
    "semua", "semuanya",
])  # fmt: skip


def asks_source(core: str) -> bool:
    """True when a message only asks where the answer just given comes from."""
    words = core.split()
    return any(w in SOURCE_WORDS for w in words) and all(
        w in SOURCE_WORDS or w in _AROUND_SOURCE for w in words
    )


# "bs online ga" after the JKM claim: the claims of the death benefit and of a work accident are
# made online in Lapak Asik (JHT's in JMO, which its own examples say).
ONLINE_WORDS = frozenset(["online", "daring", "internet", "website", "web"])
ONLINE_CLAIM: dict[str, str] = {"jkm": "lapak_asik", "jkk": "lapak_asik"}


# "udah uninstall install lagi tetep gabisa", "sudah 3 hari coba terus tetap sama" after how to
# use JMO: the self-help the answer gave did not work, so the next step is the official contacts.
# ("selfienya gagal terus" is the first report of a failure, which the answer's steps cover.)
STILL_WORDS = frozenset(["tetap", "tetep", "masih", "lagi", "juga"])
FAILING_WORDS = frozenset(["gagal", "error", "eror", "gabisa", "gbs", "gakbisa"])
# "tetap sama" ends the message: "tetap sama kah yg tadi?" asks whether the answer still holds.
_SAME = "sama"
_AFTER_SAME = frozenset(["saja", "juga", "terus", "kak", "min", "ya"])
_NOT = frozenset(["tidak", "belum"])
_WORKING = frozenset(["bisa", "masuk", "berhasil", "jalan", "muncul", "terkirim", "terbuka"])
SELF_HELP_ANSWERS = frozenset([
    "jmo_aplikasi", "jmo_ganti_nomor", "kpj_hilang", "jht_klaim_jmo", "jht_cek_saldo",
    "daftar_cara", "daftar_peserta_baru", "bayar_cara", "lapak_asik",
])  # fmt: skip
CONTACT_INTENT = "kontak_resmi"


def still_failing(words: list[str]) -> bool:
    """True when a message says that what was tried still does not work."""
    if not STILL_WORDS & set(words):
        return False
    for i, w in enumerate(words):
        if w in FAILING_WORDS or (w in _NOT and i + 1 < len(words) and words[i + 1] in _WORKING):
            return True
        if w == _SAME and all(a in _AFTER_SAME for a in words[i + 1 :]):
            return True
    return False
