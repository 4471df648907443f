"""The desk's pages: pure functions from data to HTML, in Bahasa Indonesia for curators at
branch offices. No I/O here; `web.py` gathers the data and sends what these return."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.curator.chart import rate, usage_chart
from bot.curator.facts import FactRow, Problem
from bot.curator.html import csrf_field, e, layout, telegram_view, whatsapp_view
from bot.curator.trial import Trial
from knowledge import format as fmt
from knowledge.lifecycle import DUE_SOON_DAYS
from knowledge.model import Intent

KINDS = {
    "answer": "dijawab",
    "followup": "dijawab sebagai lanjutan percakapan",
    "clarify": "bertanya balik (dua pilihan)",
    "fallback": "tidak dipahami",
    "select": "pilihan tombol",
}
GROUP_KINDS = {
    "fallback": "tidak dipahami",
    "low confidence": "kurang yakin",
    "clarification": "bertanya balik",
}
ENTITY_LABELS = {
    "amounts": "jumlah uang",
    "regions": "daerah",
    "ambiguous_regions": "nama daerah yang bisa berarti lebih dari satu",
    "programmes": "program",
    "occupation": "pekerjaan",
    "sector": "sektor",
    "age": "umur",
    "birth_year": "tahun lahir",
    "years": "lama jadi peserta (tahun)",
    "workers": "jumlah pekerja",
    "risk_group": "kelompok risiko",
    "months": "lama kontrak (bulan)",
    "school_level": "jenjang sekolah",
    "extra": "lainnya",
}


def _day(iso: str) -> str:
    try:
        return fmt.long_date(date.fromisoformat(iso))
    except ValueError:
        return iso


def _percent(score: float) -> str:
    return rate(score)


def intent_select(intents: dict[str, Intent]) -> str:
    options = ['<option value="">— pilih topik yang benar —</option>']
    for intent in sorted(intents.values(), key=lambda i: i.title.lower()):
        if intent.id.startswith("_"):
            continue
        options.append(
            f'<option value="{e(intent.id)}">{e(intent.title)} ({e(intent.id)})</option>'
        )
    return f'<select name="intent" required>{"".join(options)}</select>'


def login_page(nonce: str, error: str = "") -> str:
    message = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    body = (
        "<p>Halaman ini untuk kurator pengetahuan Tanya Jamsos. Masukkan kode akses dari "
        "pengelola bot.</p>"
        f"{message}"
        '<form method="post" action="/curator/masuk" class="stack">'
        f'<input type="hidden" name="nonce" value="{e(nonce)}">'
        '<label>Kode akses <input type="password" name="token" autocomplete="current-password" '
        "required autofocus></label>"
        '<button type="submit">Masuk</button></form>'
    )
    return layout("Masuk", body)


def reply_views(telegram: Iterable[dict[str, Any]], whatsapp: Iterable[dict[str, Any]]) -> str:
    return (
        '<div class="views">'
        + telegram_view(tuple(telegram))
        + whatsapp_view(tuple(whatsapp))
        + "</div>"
    )


def _teach_form(csrf: str, intents: dict[str, Intent], target: str) -> str:
    return (
        '<form method="post" action="/curator/ajari" class="stack teach">'
        f'{csrf_field(csrf)}<input type="hidden" name="target" value="{e(target)}">'
        '<input type="hidden" name="action" value="preview">'
        f"<label>Topik yang benar {intent_select(intents)}</label>"
        '<button type="submit">Lihat jawaban baru</button></form>'
    )


def _trial_details(trial: Trial, intents: dict[str, Intent], csrf: str) -> str:
    reply = trial.reply
    intent = reply["intent"]
    title = intents[intent].title if intent in intents else ""
    topic = f"{e(title)} <code>{e(intent)}</code>" if intent else "—"
    summary = (
        '<dl class="summary">'
        f"<dt>Hasil</dt><dd>{e(KINDS.get(trial.kind, trial.kind))}</dd>"
        f"<dt>Topik</dt><dd>{topic}</dd>"
        f"<dt>Keyakinan</dt><dd>{_percent(reply['confidence'])}</dd>"
        f"<dt>Tanggal</dt><dd>{e(fmt.long_date(trial.today))}</dd></dl>"
    )
    candidates = "".join(
        f"<tr><td>{e(t)} <code>{e(i)}</code></td><td>{_percent(s)}</td></tr>"
        for i, t, s in trial.candidates
    )
    candidates_html = (
        "<table><thead><tr><th>Topik</th><th>Skor</th></tr></thead>"
        f"<tbody>{candidates}</tbody></table>"
        if candidates
        else "<p>Tidak ada kandidat.</p>"
    )
    entities = "".join(
        f"<li>{e(ENTITY_LABELS.get(k, k))}: {e(_entity_value(k, v))}</li>"
        for k, v in trial.entities.items()
    )
    figures = "".join(
        f'<tr><td class="figure">{e(f.figure)}</td><td>'
        + (
            "<br>".join(e(r) for r in f.rows)
            if f.rows
            else "tidak ada baris dengan angka ini: hasil hitungan dari baris lain"
        )
        + "</td></tr>"
        for f in trial.figures
    )
    figures_html = (
        '<table class="figures"><thead><tr><th>Angka</th><th>Baris pengetahuan dengan angka ini (berlaku pada tanggal itu)</th></tr></thead>'
        f"<tbody>{figures}</tbody></table>"
        if figures
        else "<p>Jawaban ini tidak memuat angka.</p>"
    )
    sources = "".join(f"<li>{e(s)}</li>" for s in reply["sources"])
    return (
        summary
        + "<h2>Jawaban di tiap saluran</h2>"
        + reply_views(trial.telegram, trial.whatsapp)
        + _taps(trial)
        + '<h2>Sumber angka</h2><div class="sources">'
        + figures_html
        + (f"<p>Sumber jawaban:</p><ul>{sources}</ul>" if sources else "<p>Tanpa sumber.</p>")
        + "</div><h2>Kandidat topik</h2>"
        + candidates_html
        + "<h2>Yang dikenali dari pertanyaan</h2>"
        + (f"<ul>{entities}</ul>" if entities else "<p>Tidak ada (angka, daerah, program…).</p>")
        + "<h2>Jawabannya salah?</h2><p>Pilih topik yang seharusnya menjawab pertanyaan ini.</p>"
        + _teach_form(csrf, intents, trial.question)
    )


def _taps(trial: Trial) -> str:
    if not trial.taps:
        return ""
    items = "".join(
        f'<details class="tap"><summary>Kalau menekan “{e(tap["title"])}”</summary>'
        + reply_views(tap["telegram"], tap["whatsapp"])
        + "</details>"
        for tap in trial.taps
    )
    return f"<h2>Setelah menekan tombol</h2>{items}"


def _entity_value(kind: str, value: Any) -> str:
    if kind == "amounts":
        return ", ".join(fmt.rupiah(v) for v in value)
    if isinstance(value, (list, tuple)):
        return ", ".join(" / ".join(v) if isinstance(v, (list, tuple)) else str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def try_page(
    csrf: str,
    intents: dict[str, Intent],
    trial: Trial | None = None,
    question: str = "",
    day: str = "",
) -> str:
    form = (
        '<form method="post" action="/curator/coba" class="stack">'
        f"{csrf_field(csrf)}"
        f'<label>Pertanyaan <textarea name="question" rows="2" required maxlength="1000">{e(question)}</textarea></label>'
        f'<label>Tanggal (boleh kosong = hari ini) <input type="date" name="tanggal" value="{e(day)}"></label>'
        '<button type="submit">Coba</button></form>'
    )
    result = _trial_details(trial, intents, csrf) if trial else ""
    intro = "<p>Tulis pertanyaan seperti pengguna menulisnya. Halaman ini menunjukkan jawaban bot di Telegram dan WhatsApp, dan dari mana setiap angka berasal.</p>"
    return layout("Coba pertanyaan", intro + form + result, "coba", csrf)


def missed_page(
    csrf: str, report: dict[str, Any], intents: dict[str, Intent], newest: bool, since: str
) -> str:
    use = report["usage"]
    figures = (
        '<dl class="summary">'
        f"<dt>Pesan</dt><dd>{use['messages']}</dd>"
        f"<dt>Tidak dipahami</dt><dd>{rate(use['fallback_rate'])}</dd>"
        f"<dt>Tanya balik</dt><dd>{rate(use['clarification_rate'])}</dd></dl>"
    )
    top = ", ".join(f"{e(i)} ({n})" for i, n in use["top_intents"])
    chart = usage_chart(use["per_day"])
    order = (
        '<form method="get" action="/curator/terlewat" class="inline">'
        '<label>Urutkan <select name="urut">'
        f'<option value="terbanyak"{"" if newest else " selected"}>paling sering</option>'
        f'<option value="terbaru"{" selected" if newest else ""}>paling baru</option></select></label>'
        f'<label>Sejak <input type="date" name="sejak" value="{e(since)}"></label>'
        '<button type="submit">Tampilkan</button></form>'
    )
    cards = []
    for group in report["groups"]:
        kinds = ", ".join(f"{GROUP_KINDS.get(k, k)} {n}×" for k, n in group["kinds"].items())
        examples = "".join(f"<li>{e(x)}</li>" for x in group["examples"])
        guesses = ", ".join(
            f"{e(intents[c].title if c in intents else c)}" for c in group["candidates"]
        )
        cards.append(
            f'<article class="card" id="{e(group["group"])}">'
            f'<p class="meta"><strong>{group["count"]}×</strong> · {e(kinds)} · terakhir '
            f"{e(_day(group['last_seen']))} · <code>{e(group['group'])}</code></p>"
            f"<ul>{examples}</ul>"
            + (f'<p class="meta">Dugaan bot: {guesses}</p>' if guesses else "")
            # Nothing preselected: the bot's guess was not good enough, the curator decides.
            + _teach_form(csrf, intents, group["group"])
            + '<form method="post" action="/curator/abaikan" class="inline">'
            f'{csrf_field(csrf)}<input type="hidden" name="group" value="{e(group["group"])}">'
            '<button type="submit" class="secondary">Abaikan</button></form></article>'
        )
    groups = "".join(cards) or "<p>Tidak ada pertanyaan yang terlewat. 👍</p>"
    body = (
        "<h2>Pemakaian</h2>"
        + figures
        + chart
        + (f'<p class="meta">Topik terbanyak: {top}</p>' if top else "")
        + "<h2>Pertanyaan yang tidak dipahami, kurang yakin, atau dijawab dengan tanya balik</h2>"
        + '<p class="meta">Nomor telepon, NIK dan KPJ sudah disamarkan menjadi [nomor].</p>'
        + order
        + groups
    )
    return layout("Yang terlewat", body, "terlewat", csrf)


def teach_result_page(
    csrf: str,
    intents: dict[str, Intent],
    *,
    saved: bool,
    target: str,
    intent: str,
    questions: tuple[str, ...],
    shown_path: str,
    added: tuple[str, ...],
    diff: str,
    telegram: tuple[dict[str, Any], ...],
    whatsapp: tuple[dict[str, Any], ...],
    answered_as: str | None,
) -> str:
    title = intents[intent].title if intent in intents else intent
    asked = "".join(f"<li>{e(q)}</li>" for q in questions)
    answered = (
        f"dijawab dengan topik <strong>{e(intents[answered_as].title if answered_as in intents else answered_as)}</strong>"
        if answered_as
        else "<strong>masih tidak dipahami</strong>"
    )
    change = (
        f"<p>Perubahan di <code>{e(shown_path)}</code> ({len(added)} contoh baru):</p>"
        f'<pre class="diff">{e(diff)}</pre>'
        if diff
        else "<p>Tidak ada perubahan: pertanyaan ini sudah menjadi contoh topik itu.</p>"
    )
    if saved:
        head = f'<p class="ok" role="status">Tersimpan dan sudah dipakai bot. Pertanyaan pertama sekarang {answered}.</p>'
        action = '<p><a href="/curator/terlewat">Kembali ke daftar yang terlewat</a></p>'
    else:
        head = f"<p>Belum disimpan. Dengan perubahan ini, pertanyaan pertama akan {answered}.</p>"
        action = (
            '<form method="post" action="/curator/ajari" class="inline">'
            f'{csrf_field(csrf)}<input type="hidden" name="target" value="{e(target)}">'
            f'<input type="hidden" name="intent" value="{e(intent)}">'
            '<input type="hidden" name="action" value="save">'
            '<button type="submit">Simpan</button></form>'
            '<a class="button secondary" href="/curator/terlewat">Batal</a>'
        )
    # The buttons come before and after the views: on a phone the views are long.
    body = (
        f"<p>Topik: <strong>{e(title)}</strong> <code>{e(intent)}</code></p>"
        f"<p>Pertanyaan:</p><ul>{asked}</ul>{head}{action}"
        + reply_views(telegram, whatsapp)
        + change
        + action
    )
    return layout("Ajari bot" if saved else "Pratinjau ajari", body, "terlewat", csrf)


def refused_page(csrf: str, message: str, problems: list[str]) -> str:
    items = "".join(f"<li>{e(p)}</li>" for p in problems)
    body = (
        f'<p class="error" role="alert">Ditolak: {e(message)} File sumber tidak diubah.</p>'
        + (f"<ul>{items}</ul>" if items else "")
        + '<p><a href="/curator/terlewat">Kembali</a></p>'
    )
    return layout("Tidak bisa disimpan", body, "terlewat", csrf)


def _fact_row(r: FactRow) -> str:
    case = f"<br><small>untuk {e(r.applies_to)}</small>" if r.applies_to else ""
    unverified = "" if r.verified else '<br><strong class="warn">belum terverifikasi</strong>'
    return (
        f'<tr class="{e(r.status.replace(" ", "-"))}">'
        f'<td data-label="Kunci"><code>{e(r.key)}</code>{case}</td>'
        f'<td data-label="Nilai" class="figure">{e(r.value)}</td>'
        f'<td data-label="Berlaku">{e(_validity(r))} <small>({e(r.status)})</small></td>'
        f'<td data-label="Sumber">{"<br>".join(e(s) for s in r.sources)}{unverified}</td>'
        f'<td data-label="Tinjau" class="review">{e(r.review) or "—"}</td>'
        + (f'<td data-label="Catatan"><small>{e(r.note)}</small></td>' if r.note else "<td></td>")
        + "</tr>"
    )


def _validity(r: FactRow) -> str:
    if r.valid_from and r.valid_to:
        return f"{r.valid_from} s.d. {r.valid_to}"
    if r.valid_from:
        return f"sejak {r.valid_from}"
    if r.valid_to:
        return f"sampai {r.valid_to}"
    return "tanpa batas waktu"


def facts_page(csrf: str, rows: list[FactRow], problems: list[Problem], today: date) -> str:
    if problems:
        items = "".join(
            f"<tr><td><code>{e(p.file)}</code></td><td>{'' if p.line is None else p.line}</td>"
            f"<td>{e(p.entry)}</td><td>{e(p.message)}</td></tr>"
            for p in problems
        )
        check = (
            f'<p class="error" role="alert">Ada {len(problems)} masalah di file sumber. Bot tetap '
            "menjawab dengan data terakhir yang benar sampai masalahnya diperbaiki.</p>"
            '<div class="scroll"><table><thead><tr><th>File</th><th>Baris</th><th>Entri</th>'
            f"<th>Masalah</th></tr></thead><tbody>{items}</tbody></table></div>"
        )
    else:
        check = '<p class="ok" role="status">Pemeriksaan (bot check): tidak ada masalah.</p>'
    facts = "".join(_fact_row(r) for r in rows)
    review_note = (
        'Kolom "Tinjau": fakta yang sudah lewat tanggal tinjaunya (review_by), atau jatuh tempo '
        f"dalam {DUE_SOON_DAYS} hari."
    )
    due = [r for r in rows if r.review]
    due_html = (
        f"<h2>Perlu ditinjau ({len(due)})</h2><ul>"
        + "".join(
            f"<li><code>{e(r.key)}</code>{' untuk ' + e(r.applies_to) if r.applies_to else ''}: "
            f'<span class="figure">{e(r.value)}</span> · <strong class="warn">{e(r.review)}</strong></li>'
            for r in due
        )
        + '</ul><p class="meta">Tambahkan baris dengan angka baru (valid_from dan sumbernya), lalu '
        "tutup baris lama dengan valid_to.</p>"
        if due
        else ""
    )
    body = (
        check
        + due_html
        + f"<h2>Semua fakta ({len(rows)})</h2>"
        + f'<p class="meta">Status dihitung untuk {e(fmt.long_date(today))}. {review_note}</p>'
        '<table class="facts cards"><thead><tr><th>Kunci</th><th>Nilai</th>'
        "<th>Berlaku</th><th>Sumber</th><th>Tinjau</th><th>Catatan</th></tr></thead>"
        f"<tbody>{facts}</tbody></table>"
    )
    return layout("Fakta", body, "fakta", csrf)
