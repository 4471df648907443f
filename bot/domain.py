"""Words that name a matter of BPJS Ketenagakerjaan, for telling near-domain off-topic apart.

"cara daftar BLT dana desa", "bengkel dekat borong di mana" or "kode bayar pdam" share a word or
two with real questions ("daftar", "di mana", "bayar") and so score like them. A message that
names none of the domain's own matters (the agency, its programmes, premiums, claims, members,
workers and employers) must match clearly before it is answered; otherwise it falls back.
The list is read against the normalised message (after the slang map: "bpjs tk" is already
"bpjs ketenagakerjaan").
"""

from __future__ import annotations

from itertools import pairwise

DOMAIN_WORDS = frozenset([
    "bpjs", "bpjamsostek", "jamsostek", "jamsos", "ketenagakerjaan", "bpjstk", "jht", "jkk",
    "jkm", "jp", "jkp", "bpu", "pu", "iuran", "iur", "premi", "jaminan", "manfaat", "santunan",
    "klaim", "cair", "cairkan", "pencairan", "saldo", "beasiswa", "pensiun", "kecelakaan",
    "meninggal", "kematian", "ahli", "waris", "ditanggung", "tanggung", "denda", "telat",
    "autodebit", "nonaktif", "peserta", "kepesertaan", "kartu", "kpj", "jmo", "perisai", "agen",
    "lapak", "asik", "lapakasik", "plkk", "wadah", "jakon", "kesehatan", "jkn", "kis", "faskes",
    "mandiri", "daftar", "daftarkan", "didaftarkan", "pendaftaran", "terdaftar", "mendaftar",
    "mendaftarkan", "ikut", "join",
    "kantor", "cabang", "175", "berhenti", "resign", "mengundurkan", "upah", "gaji", "program",
    "pekerja", "karyawan", "perusahaan", "pmi", "migran", "risiko", "perlindungan", "dilindungi",
    "terlindungi",
    # the agency's own names and terms not in the slang map ("bpjstku" was JMO's former name,
    # "ucj" the coverage programme, "fktp" a BPJS Kesehatan clinic, redirected politely)
    "bpjstku", "ucj", "fktp", "tunggakan", "reaktivasi", "nik",
    # English, as it reads after the slang map ("claim", "pension", "premium", "benefit" and
    # "worker" already read as "klaim", "pensiun", "iuran", "manfaat" and "pekerja")
    "insurance", "security", "savings", "heir", "heirs", "beneficiary", "widow", "orphan",
    "membership", "member", "members", "enrol", "enroll", "enrolment", "enrollment", "agent",
    "agents", "lapsed", "arrears", "reactivate", "job", "jobs", "unemployment", "layoff",
    "laid", "income", "earn", "earning", "earnings", "employment", "contribute", "injuries",
])  # fmt: skip


# The bot itself: "kamu siapa", "ini bot resmi?", "who am i talking to". Such a question is
# answered by the bot's own description (tentang_bot), not sent to the fallback for naming
# nothing of the agency. Kept apart from DOMAIN_WORDS: "makasih bot" is still a closing.
SELF_WORDS = frozenset(["bot", "chatbot", "robot"])
SELF_PHRASES = (
    "kamu siapa", "siapa kamu", "kamu ini siapa", "kamu manusia", "kamu mesin", "who you",
    "who this", "talking to", "chatting with", "chat disini", "chat di sini", "layanan ini",
    "akun ini", "nomor ini", "kirim nik", "kasih nik",
)  # fmt: skip


# Matters of other agencies, services and everyday life that share "daftar", "bayar", "klaim",
# "gaji" or "syarat" with real questions: "cara daftar BLT dana desa", "kode bayar pdam",
# "asuransi prudential bisa klaim", "gaji di bawah UMR", "lapor THR ke disnaker". A message naming
# one of them and none of the agency's own matters (CORE_WORDS) is off-topic unless it matches
# very clearly. BPJS Kesehatan words are not here: those questions get a polite redirection.
FOREIGN_WORDS = frozenset([
    # social assistance and other government programmes
    "blt", "bansos", "pkh", "bpnt", "kur", "prakerja", "subsidi", "bbm", "solar", "pertalite",
    # ("kip kuliah bs barengan?" after the scholarship: the government's own scholarship)
    "kip", "spbu", "spbun", "pupuk", "sembako", "bsu", "bibit", "taspen", "asabri",
    # other agencies, documents and bills ("npwp" is not one: registering and the JHT claim ask
    # for it, "tiang ndak punya npwp, ape syaratne daftar")
    "paspor", "umroh", "umrah", "haji", "visa", "sim", "stnk", "samsat", "pajak", "pph", "pbb",
    "tilang",
    "gubernur", "bupati", "pppk", "dinas", "dinsos", "perikanan",
    "pdam", "pln", "listrik", "wifi", "indihome", "pemilu", "pilkada", "pilkades",
    # labour law and jobs, not social security
    "umr", "ump", "umk", "thr", "disnaker", "lowongan", "loker", "lamaran", "cpns", "pesangon",
    # private insurers and banks' own products
    "prudential", "allianz", "axa", "manulife", "pinjol", "pinjaman", "kredit", "leasing",
    "raharja",  # Jasa Raharja: road accident insurance, not BPJS's
    # everyday life
    "resep", "sambal", "tiktok", "facebook", "piala", "bola", "cuaca", "film", "lagu", "zakat",
    "arisan", "puisi", "pantun", "lawak", "ngelawak", "melawak", "lelucon", "joke", "jokes",
    # travel and phone credit ("tiket kapal ternate sorong brp", "pulsa sy habis"); not
    # "wisata" (guides and tour boats are users' jobs) nor "kuota" (the free cover's quota)
    "tiket", "pesawat", "hotel", "pulsa",
    # markets: "saham nikel lagi turun ya bang", "timah lg anjlok ye" (a crop or an ore alone
    # is no other matter: "petani lada", "penambang timah" are the users' own jobs)
    "saham", "anjlok", "bitcoin", "kripto", "crypto",
])  # fmt: skip
# What a price asked after is the price of (see names_foreign_matter): the users' crops, catch
# and ores, whose market is not the agency's matter ("harga lada turun terus bang").
MARKET_GOODS = frozenset([
    "lada", "timah", "nikel", "sawit", "karet", "cengkeh", "kopra", "kopi", "kakao", "coklat",
    "rumput", "beras", "gabah", "jagung", "cabai", "cabe", "bawang", "emas", "ikan", "udang",
    "garam", "tembakau", "vanili", "kemiri", "mete",
])  # fmt: skip
# The agency's own matters: a message naming one of them is about the domain whatever else it
# names ("iuran bpjs tk bisa bayar pakai pulsa?", "jht bisa buat bayar pinjaman?").
CORE_WORDS = frozenset([
    "bpjs", "bpjamsostek", "jamsostek", "jamsos", "ketenagakerjaan", "bpjstk", "jht", "jkk",
    "jkm", "jp", "jkp", "bpu", "pu", "iuran", "iur", "jmo", "kpj", "perisai", "jakon", "plkk",
    "santunan", "pensiun", "beasiswa", "kesehatan", "jkn", "kis", "175",
    # what a premium is to an employee, or a discount of it: "gaji UMR kena potongan bpjs brp"
    "potongan", "dipotong",
    # a job ended, which JHT and JKP answer: "sy di phk 5 bln lalu, blm ngurus apa2"
    "phk", "resign", "mengundurkan",
])  # fmt: skip


def names_domain(words: list[str]) -> bool:
    return any(w in DOMAIN_WORDS for w in words)


def names_bot_itself(words: list[str]) -> bool:
    """True when the message asks about the bot itself (SELF_WORDS, SELF_PHRASES)."""
    padded = f" {' '.join(words)} "
    return any(w in SELF_WORDS for w in words) or any(f" {p} " in padded for p in SELF_PHRASES)


def names_agency_matter(words: list[str]) -> bool:
    return any(w in CORE_WORDS for w in words)


# The agency's names, which say whose matter is asked about but not which: "ada bantuan bibit
# dr bpjs ga", "BSU dari bpjs tk cair kapan" ask the agency about another matter.
AGENCY_NAMES = frozenset(
    ["bpjs", "bpjamsostek", "jamsostek", "jamsos", "ketenagakerjaan", "bpjstk", "tk"]
)


# A job that ended is the agency's matter (JHT, JKP), but the severance pay or the lawsuit
# beside it is not: "bos tdk kasih pesangon waktu sy di phk" stays another matter.
# (Messages are read normalised, where "resign" is "mengundurkan diri".)
JOB_ENDED = frozenset(["phk", "resign", "mengundurkan"])
# The job ended, in the users' words: "kena phk", "diberhentikan", "kontrak sy habis".
_ENDED_WORDS = JOB_ENDED | {"diberhentikan", "dipecat", "dirumahkan", "diphk", "pecat"}
_ENDED_PHRASES = (
    "berhenti kerja", "keluar kerja", "keluar dari kerja", "kontrak habis", "habis kontrak",
    "kontrak saya habis", "tidak kerja lagi", "laid off", "lost my job", "quit my job",
    # "kontraknya habis gak diperpanjang", "dari 2008 sampai 2020, lalu berhenti"
    "kontraknya habis", "kontrak sudah habis", "tidak diperpanjang", "sudah berhenti",
    "lalu berhenti", "berhenti dari", "sudah keluar", "tidak bekerja lagi",
)  # fmt: skip


def names_job_ended(normalized: str) -> bool:
    """True when the message tells that the user's (or someone's) job ended."""
    return bool(_ENDED_WORDS & set(normalized.split())) or _said(normalized, _ENDED_PHRASES)


# Other institutions people mistake for it: a message naming one is about that institution
# even with a word of the agency's matters in it ("klo taspen pensiunnya lbh gede ya?"),
# unless it names one of the agency's programmes or services as well.
OTHER_INSTITUTIONS = frozenset(["taspen", "asabri", "raharja"])
OWN_PROGRAMMES = frozenset(["jht", "jkk", "jkm", "jp", "jkp", "bpu", "jmo", "kpj"])


# Wages not paid, as the normaliser leaves them ("gaji" reads "upah"): the labour office's
# matter, not the agency's, unless the message names one of its own ("majikan blm bayar gaji 2
# bulan, lapor kmn ya" is; "upah dipotong tapi iuran tidak dibayar" is not; "tidak digaji tetap"
# is a worker without a fixed wage, not wages unpaid).
WAGES_UNPAID = (
    "belum bayar upah", "tidak bayar upah", "upah belum dibayar", "upah tidak dibayar",
    "upah telat", "telat upah", "gajian telat", "telat gajian", "belum digaji",
    "belum gajian",
)  # fmt: skip


def names_foreign_matter(words: list[str]) -> bool:
    """True when the message names another matter (FOREIGN_WORDS) and none of the agency's
    own (naming the agency itself does not make the matter its own)."""
    if any(w in OTHER_INSTITUTIONS for w in words) and not any(w in OWN_PROGRAMMES for w in words):
        return True
    foreign = (
        any(w in FOREIGN_WORDS for w in words)
        # The price of a crop or a catch: the market ("harga" alone may be the premium's,
        # "harganya brp" after a premium).
        or ("harga" in words and any(w in MARKET_GOODS for w in words))
        or _said(" ".join(words), WAGES_UNPAID)
    )
    return (
        foreign
        and not any(w in CORE_WORDS and w not in AGENCY_NAMES and w not in JOB_ENDED for w in words)
        and not asks_to_join(words)
    )


# "beta ju terima PKH, bisa ikut bpjs tk?": joining the agency is its own matter, whatever
# else the message names.
_JOINING = frozenset(["ikut", "daftar", "mendaftar", "gabung", "bergabung", "join"])
_ASKING_MAY = frozenset(["bisa", "boleh", "can", "may"])


def asks_to_join(words: list[str]) -> bool:
    """True when the message asks whether one may join the agency ("bisa ikut bpjs tk?"), not
    whether it gets one into another programme ("bpjs tk bs buat daftar prakerja?")."""
    present = set(words)
    if not (present & AGENCY_NAMES and present & _JOINING and present & _ASKING_MAY):
        return False
    return not any(w in _JOINING and after in FOREIGN_WORDS for w, after in pairwise(words))


# Words of paying a premium rather than asking its amount.
PAYING = frozenset(["bayar", "membayar", "dibayar", "setor", "lunasi"])


# A death or an injury while working is a work accident, JKK's matter, though the message names
# no programme: "nelayan meninggal tenggelam waktu melaut, keluarganya dapat apa" is paid by JKK
# (a larger benefit than JKM's), so reading it as a plain death would understate what is due.
HARM_WORDS = frozenset([
    "meninggal", "tewas", "wafat", "tenggelam", "hanyut", "jatuh", "luka", "terluka",
    "celaka", "tertimpa", "tersengat", "kecelakaan", "tabrakan", "patah", "cacat", "kematian",
    "ketimpa", "kejatuhan", "keserempet", "ketabrak", "kelindas", "kejepit", "kesetrum",
    "karam", "jenazah", "longsor", "tertabrak", "terseret", "terbalik",
    # in English
    "died", "dies", "drowned", "drowns", "drowning", "injured", "accident", "killed", "death",
])  # fmt: skip
_AT_WORK = (
    "waktu kerja", "saat kerja", "pas kerja", "sedang kerja", "lagi kerja", "waktu bekerja",
    "saat bekerja", "sedang bekerja", "ketika bekerja", "di tempat kerja", "waktu melaut",
    "saat melaut", "pas melaut", "sedang melaut", "waktu narik", "pas narik", "saat narik",
    "karena kerja", "akibat kerja", "while working", "while bekerja", "at work",
    "at kerja", "kecelakaan kerja",
    # The work itself, for those whose work is a place or an errand: the fisher's trip, the
    # miner's pit, the harvest, the ride; and the way to work and back, which JKK covers too.
    "waktu mancing", "pas mancing", "saat mancing", "pergi mancing", "pi mancing",
    "waktu menangkap ikan", "di tambang", "di lubang tambang", "waktu panen", "pas panen",
    "saat panen", "waktu ngojek", "pas ngojek", "saat ngojek", "pulang kerja",
    "pulang dari kerja", "berangkat kerja", "pulang dari tempat kerja", "ke tempat kerja",
    # the workplace itself
    "di gudang", "di pabrik", "di bengkel", "di kapal", "di perahu", "di kebun", "di sawah",
    "di ladang", "di tambak", "di bagan", "di pelabuhan", "di galangan", "di konstruksi",
    # a construction site, in whatever words ("di proyek", "jatuh dari perancah proyek")
    "proyek", "perancah",
    "waktu ngepel", "waktu masak", "waktu nyetir", "pas nyetir",
    "di tempat kerja", "tempat kerja", "tempat saya kerja", "tempat saya gawe", "waktu gawe",
    "waktu pergi kantor", "waktu pi kantor", "pi melaut", "pergi melaut", "di laut",
    # in English
    "out fishing", "while fishing", "at sea", "on the job", "at the factory", "on site",
)  # fmt: skip


_WORKING_AT = ("kerja di", "bekerja di", "gawe di", "kerja sebagai", "works at", "work at")

# "meninggal bukan karena kerja": the circumstance denied.
_DENIALS = frozenset(["bukan", "tidak", "tanpa", "not", "luar"])


# An illness the work caused ("sakit krn kerja", "penyakit akibat pekerjaan") is JKK's too; one
# only met at work ("sakit waktu kerja") need not be.
ILLNESS_WORDS = frozenset(["sakit", "penyakit"])
_BY_WORK = ("karena kerja", "akibat kerja", "karena pekerjaan", "akibat pekerjaan")


def names_work_harm(normalized: str) -> bool:
    """True when the message tells of a death, an injury or an illness the work caused."""
    words = normalized.split()
    if any(w in INJURY_WORDS for w in words) and _said(normalized, _WORKING_AT):
        # "adik sy kerja di sawmill, tangannya kena mesin, 2 jari putus": an injury told with
        # the place of work (a death so told may be an illness: JKM's unless said at work).
        return True
    if any(w in HARM_WORDS or w in INJURY_WORDS for w in words):
        return _said(normalized, _AT_WORK)
    return any(w in ILLNESS_WORDS for w in words) and _said(normalized, _BY_WORK)


# An injury (no death): told by someone who names their work, the work's (JKK): "sy petani,
# kaki kena cangkul sampe dijahit", "ama saya tukang kayu, jari putus kena mesin serut".
INJURY_WORDS = frozenset([
    "jatuh", "luka", "terluka", "tertimpa", "tersengat", "patah", "putus", "terjepit",
    "tersayat", "tertusuk", "terpotong", "terbakar", "tersiram", "terlindas", "terpeleset",
    "tergelincir", "digigit", "dipatuk", "disengat", "kesetrum", "tersetrum", "keseleo",
    "terkilir", "dijahit", "berdarah", "memar", "jatoh",
    # the everyday forms: "ketimpa barang", "kejatuhan kayu", "keserempet truk"
    "ketimpa", "kejatuhan", "keserempet", "ketabrak", "kelindas", "kejepit", "kesetrum",
    "keiris", "kebakar", "kesiram",
    # the fisher's accident: the boat, not the body ("perahunya karam", "tenggelam")
    "karam", "tenggelam", "hanyut", "terbalik",
])  # fmt: skip


def names_injury(normalized: str) -> bool:
    """True when the message tells of an injury and of no illness."""
    words = normalized.split()
    return any(w in INJURY_WORDS for w in words) and not any(w in ILLNESS_WORDS for w in words)


def names_plain_harm(normalized: str) -> bool:
    """True when the message tells of a death or an injury and of no illness: within a talk
    about a work accident ("kalo ketemu udah meninggal, keluarga dapat ape"), that accident's."""
    words = normalized.split()
    return (
        any(w in HARM_WORDS for w in words)
        and not any(w in ILLNESS_WORDS for w in words)
        and not _said(normalized, _NOT_AT_WORK)
    )


# "meninggal krn sakit biasa", "meninggal di rumah": not the accident under discussion.
_NOT_AT_WORK = (
    "sakit biasa", "meninggal biasa", "bukan karena kerja", "di rumah", "karena usia", "karena tua",
)  # fmt: skip


def names_not_at_work(normalized: str) -> bool:
    """True when the message says the harm was not the work's ("meninggal di rumah")."""
    return _said(normalized, _NOT_AT_WORK)


def _said(normalized: str, phrases: tuple[str, ...]) -> bool:
    """True when one of the phrases is in the message and not denied just before it."""
    padded = f" {normalized} "
    for phrase in phrases:
        before, found, _ = padded.partition(f" {phrase} ")
        if found and not set(before.split()[-1:]) & _DENIALS:
            return True
    return False
