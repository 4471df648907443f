"""What the bot says about a message rather than to its question: a kind word for what it cannot
read yet (voice notes and photos are common from this audience, and silence would look like the
bot is broken), the answer to a flood, the apology for a message it failed on, and the engine's
few words of its own (a number that is no option, two equally likely meanings, a figure missing
for the day, an empty message). One set of words for every channel."""

from __future__ import annotations

from core.reply import Reply

_ASK_TO_TYPE = "Silakan ketik pertanyaan Bapak/Ibu ya."
# By the kind of message (bot.channels: WhatsApp's message types; Telegram maps its own).
NOTICES = {
    "voice": "Maaf, saya belum bisa mendengarkan pesan suara. " + _ASK_TO_TYPE,
    "audio": "Maaf, saya belum bisa mendengarkan pesan audio. " + _ASK_TO_TYPE,
    "image": "Maaf, saya belum bisa membaca gambar. " + _ASK_TO_TYPE,
    "video": "Maaf, saya belum bisa menonton video. " + _ASK_TO_TYPE,
    "document": "Maaf, saya belum bisa membuka dokumen. " + _ASK_TO_TYPE,
    "sticker": "Terima kasih stikernya! " + _ASK_TO_TYPE,
    "location": (
        "Maaf, saya belum bisa membaca lokasi. Silakan ketik nama kabupaten atau kota "
        'Bapak/Ibu, misalnya "kantor di Kupang".'
    ),
    "contacts": "Maaf, saya belum bisa membaca kartu kontak. " + _ASK_TO_TYPE,
    "unsupported": "Maaf, saya belum bisa membaca pesan jenis ini. " + _ASK_TO_TYPE,
}
FLOOD_TEXT = (
    "Pesan Bapak/Ibu banyak sekali dalam waktu singkat. Mohon tunggu sebentar, lalu kirim "
    "satu pertanyaan saja ya."
)
# The answer to a message whose processing raised (a "poison" message): sent once, never retried.
APOLOGY_TEXT = (
    "Maaf, ada gangguan saat saya memproses pesan Bapak/Ibu. Coba tulis pertanyaannya dengan "
    "kata lain. Saluran resmi: telepon 175 atau aplikasi JMO."
)

# A figure no row covers on the day asked: the answer must not guess one.
MISSING_FIGURE_TEXT = (
    "Maaf, angka yang berlaku untuk tanggal ini belum ada di data saya, jadi saya "
    "tidak mau menebak. Silakan tanyakan ke 175 atau bpjsketenagakerjaan.go.id."
)
# An empty message, or a bare number with no options on screen to choose from.
PROMPT_TEXT = (
    "Silakan tulis pertanyaan Bapak/Ibu tentang BPJS Ketenagakerjaan, atau pilih dari menu."
)
# Under the console's greeting, at a terminal.
CONSOLE_HINT = "(ketik pertanyaan; Ctrl-D atau 'keluar' untuk berhenti)"


def media_notice(kind: str) -> Reply:
    """The notice for a message of `kind` the bot cannot read (any unknown kind: the general one)."""
    return Reply(text=NOTICES.get(kind, NOTICES["unsupported"]))


def not_an_option(number: int, count: int) -> str:
    """ "9" typed when `count` options are on screen: which numbers work (the options follow)."""
    valid = "1" if count == 1 else f"1 sampai {count}"
    return (
        f"Pilihan {number} tidak ada. Balas dengan nomor {valid}, atau tulis pertanyaan "
        "Bapak/Ibu dengan kata-kata sendiri."
    )


def which_one(first: str, second: str) -> str:
    """Two meanings equally likely, either answer misleading: ask which one."""
    return (
        f'Maksud Bapak/Ibu yang mana: "{first}" atau "{second}"? '
        "Pilih salah satu, atau tulis pertanyaannya lebih lengkap."
    )
