"""Which branch office serves which area. Never an address: none is known from a source."""

from __future__ import annotations

from core.context import Context
from core.reply import Reply
from handlers.common import Figures, calculated_reply
from handlers.coverage import resolve_region

NO_ADDRESS = (
    "Alamat dan jam buka kantor tidak saya cantumkan karena belum ada sumber yang pasti. "
    "Cek di bpjsketenagakerjaan.go.id (cari kantor cabang) atau telepon 175."
)


def region(ctx: Context) -> Reply:
    place, ask = resolve_region(ctx)
    if place is None:
        assert ask is not None
        return ask
    ctx.session.memory["region"] = place.id
    figs = Figures()
    office = ctx.knowledge.offices.get(place.office)
    if office is None:
        text = (
            f"Saya belum tahu pasti kantor cabang mana yang melayani {place.name}. "
            "Telepon 175 atau cek bpjsketenagakerjaan.go.id untuk kantor terdekat. "
            "Pendaftaran dan pembayaran juga bisa lewat aplikasi JMO atau agen Perisai di desa."
        )
        return calculated_reply(ctx, figs, text)
    figs.sources.extend(ctx.knowledge.source_label(office.source))
    if place.kind == "provinsi":
        lines = [f"Kantor BPJS Ketenagakerjaan utama di {place.name}: {office.name}."]
    else:
        lines = [f"{place.name} dilayani oleh {office.name}."]
    if office.note:
        lines.append(office.note)
    lines.append(NO_ADDRESS)
    return calculated_reply(ctx, figs, "\n\n".join(lines))
