"""Places outside NTT, NTB and Bangka Belitung: say where they are and where to look.

Premiums, benefits and claims are national and are answered as anywhere else; offices and
coverage figures are regional, and the bot's regional data covers three provinces only.
"""

from __future__ import annotations

from core.context import Context
from core.reply import Reply
from handlers.common import followup_options

COVERED = "NTT, NTB dan Bangka Belitung"


def outside_reply(ctx: Context) -> Reply:
    place, province = ctx.entities.outside[0]
    where = (
        f"{place} ada di Provinsi {province}." if not place.startswith("Provinsi") else f"{place}."
    )
    if ctx.intent.handler == "offices.region":
        need = "kantor cabang"
        look = (
            "Cari kantor cabang terdekat di bpjsketenagakerjaan.go.id (menu kantor cabang), "
            "di aplikasi JMO, atau telepon 175."
        )
    else:
        need = "angka kepesertaan"
        look = "Untuk angka kepesertaan di sana, tanyakan ke kantor cabang setempat atau 175."
    text = (
        f"{where} Data wilayah saya ({need}) baru mencakup {COVERED}, jadi untuk daerah itu "
        f"saya belum bisa menjawab dengan pasti.\n\n{look}\n\n"
        "Iuran, manfaat, cara daftar dan cara klaim berlaku sama di seluruh Indonesia: "
        "itu bisa Bapak/Ibu tanyakan di sini."
    )
    return Reply(text=text, options=followup_options(ctx))
