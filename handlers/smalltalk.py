"""Greetings, the menu, the honest fallback and out-of-scope replies."""

from __future__ import annotations

from core.context import Context
from core.reply import Option, Reply
from handlers.common import OFFICIAL_CHANNELS
from handlers.present import DETAILS_MEMORY, DETAILS_OPTION, SHARE_MEMORY, keep_pending
from knowledge.store import Knowledge

# The first screen: the questions most people come with, in the order they come.
MENU_INTENTS = (
    "bpjstk_apa",
    "iuran_bpu",
    "daftar_cara",
    "bayar_cara",
    "jht_klaim_berhenti",
    "jkm_manfaat",
    "cakupan_wilayah",
    "kantor_cabang",
    "kontak_resmi",
)

# The welcome fits one phone screen: what the bot is, what it answers, the official channels,
# and a short menu (the full one is one option away).
WELCOME = (
    "Halo, Bapak/Ibu! Saya Tanya Jamsos, layanan informasi tidak resmi tentang BPJS "
    "Ketenagakerjaan: iuran, manfaat, daftar, bayar, klaim, dan jumlah peserta di NTT, NTB dan "
    "Bangka Belitung. Tulis pertanyaan dengan kata-kata sendiri, atau pilih di bawah.\n\n"
    + OFFICIAL_CHANNELS
)
WELCOME_INTENTS = ("iuran_bpu", "daftar_cara", "bayar_cara", "jht_klaim_berhenti", "menu")


def menu_options(knowledge: Knowledge) -> tuple[Option, ...]:
    return tuple(
        Option(i, knowledge.intents[i].title) for i in MENU_INTENTS if i in knowledge.intents
    )


def greeting(ctx: Context) -> Reply:
    intents = ctx.knowledge.intents
    options = tuple(Option(i, intents[i].title) for i in WELCOME_INTENTS if i in intents)
    return Reply(text=WELCOME, options=options)


def menu(ctx: Context) -> Reply:
    text = "Pilih topik, atau tulis pertanyaan Bapak/Ibu dengan kata-kata sendiri:"
    return Reply(text=text, options=menu_options(ctx.knowledge))


def details(ctx: Context) -> Reply:
    """The rest of the last answer (its working, secondary details and every source)."""
    text = ctx.session.memory.get(DETAILS_MEMORY)
    if not text:
        return Reply(
            text="Belum ada jawaban untuk dirinci. Silakan tulis pertanyaan Bapak/Ibu dulu.",
            options=menu_options(ctx.knowledge),
        )
    kept = tuple(o for o in ctx.session.options if o.id not in (DETAILS_OPTION.id, "sumber"))
    keep_pending(ctx.session)
    return Reply(text=text, options=kept)


def share(ctx: Context) -> Reply:
    """The last answer's forwardable text, exactly as an agen Perisai passes it on."""
    text = ctx.session.memory.get(SHARE_MEMORY)
    if not text:
        return Reply(
            text=(
                'Belum ada jawaban untuk dibagikan. Tanyakan dulu sesuatu, misalnya "iuran '
                'petani", lalu pilih "Bagikan" untuk mendapat teks yang siap diteruskan.'
            ),
            options=menu_options(ctx.knowledge),
        )
    keep_pending(ctx.session)
    return Reply(text=text)


def fallback_reply(knowledge: Knowledge) -> Reply:
    text = (
        "Maaf, saya belum mengerti pertanyaan itu. Coba tulis dengan kata lain, misalnya "
        '"berapa iuran untuk petani" atau "cara klaim JHT", atau pilih dari menu.\n\n'
        + OFFICIAL_CHANNELS
    )
    return Reply(text=text, options=menu_options(knowledge))


def out_of_scope(ctx: Context) -> Reply:
    text = (
        "Maaf, saya hanya bisa menjawab soal BPJS Ketenagakerjaan: iuran, manfaat, daftar, "
        "bayar, klaim dan kepesertaan. Untuk hal lain saya tidak bisa membantu.\n\n"
        + OFFICIAL_CHANNELS
    )
    return Reply(text=text, options=menu_options(ctx.knowledge))
