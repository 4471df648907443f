"""What the bot says about a message rather than to its question: a kind word for what it cannot
read yet (voice notes and photos are common from this audience, and silence would look like the
bot is broken), the answer to a flood, and the apology for a message it failed on. One set of
words for every channel."""

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

# Under the console's greeting, at a terminal.
CONSOLE_HINT = "(ketik pertanyaan; Ctrl-D atau 'keluar' untuk berhenti)"


def media_notice(kind: str) -> Reply:
    """The notice for a message of `kind` the bot cannot read (any unknown kind: the general one)."""
    return Reply(text=NOTICES.get(kind, NOTICES["unsupported"]))
