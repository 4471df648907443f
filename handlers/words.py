"""The words a channel shows around an answer rather than in it: where the answer comes from,
how to reply to numbered options, the line above buttons with no text, the labels of WhatsApp's
list message, the link under a forwardable answer, and what Telegram shows
of the bot before the first message (its description and command list). The channels lay
these out; the words are here, with every other word a user reads."""

from __future__ import annotations

from collections.abc import Sequence

# The most sources named under an answer; the rest are counted.
MAX_SOURCES_SHOWN = 3


def sources_line(sources: Sequence[str]) -> str:
    """ "Sumber: A; B; C dan 2 sumber lain." under an answer, or "" without sources."""
    if not sources:
        return ""
    shown = list(sources[:MAX_SOURCES_SHOWN])
    more = len(sources) - len(shown)
    tail = f" dan {more} sumber lain" if more > 0 else ""
    return "Sumber: " + "; ".join(shown) + tail + "."


def reply_hint(count: int) -> str:
    """Under `count` numbered options: "(balas 1, 2 atau 3)"."""
    numbers = [str(i) for i in range(1, count + 1)]
    hint = ", ".join(numbers[:-1]) + f" atau {numbers[-1]}" if len(numbers) > 1 else numbers[0]
    return f"(balas {hint})"


def ask_directly(platform: str, link: str) -> str:
    """The last line of a forwardable answer: where its reader can ask the bot themselves."""
    return f"Tanya langsung di {platform}: {link}"


# Above a keyboard when a reply has options but no text (Telegram refuses an empty message).
CHOOSE_TEXT = "Silakan pilih:"

# WhatsApp's list message: the button that opens it and the title of its one section.
LIST_BUTTON_LABEL = "Pilih topik"
LIST_SECTION_TITLE = "Topik"
# When an answer is longer than an interactive body allows, the answer goes first as text and
# its options follow in a short message of their own, under this line.
SHORT_PROMPT = "Pilih topik:"

# Telegram's command list: (command, what the menu says of it).
COMMAND_WORDS = (
    ("start", "Mulai dan lihat menu"),
    ("menu", "Tampilkan menu topik"),
    ("help", "Bantuan: cara bertanya"),
)
# Shown in the empty chat before the first message (at most 512 characters) and on the bot's
# profile and in shared links (at most 120).
DESCRIPTION = (
    "Tanya Jamsos menjawab pertanyaan tentang BPJS Ketenagakerjaan (BPJAMSOSTEK) untuk pekerja "
    "informal dan agen Perisai: iuran, manfaat, cara daftar, bayar dan klaim. Tulis pertanyaan "
    'dengan kata-kata sendiri, misalnya "berapa iuran untuk petani". Ini layanan informasi '
    "tidak resmi. Saluran resmi: telepon 175, aplikasi JMO, atau bpjsketenagakerjaan.go.id."
)
SHORT_DESCRIPTION = (
    "Info BPJS Ketenagakerjaan untuk pekerja informal: iuran, manfaat, daftar, klaim. "
    "Layanan tidak resmi."
)
